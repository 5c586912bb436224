using Netstack.Api.Contracts.Containers;
using Netstack.Core;
using Netstack.Runtime.Containers;
using ContainerState = Netstack.Runtime.Containers.ContainerState;

namespace Netstack.Daemon.Containers;

/// <summary>
/// The network modes that are not "join these networks": <c>host</c> (the daemon's own namespace,
/// no sandbox, no endpoint), <c>container:NAME|ID</c> (another container's sandbox, the pod
/// pattern) and <c>sandbox:NAME</c> (a sandbox made with <c>netstack sandbox create</c>). Each is
/// checked in full at create, so a refused run leaves no container; the start takes the
/// namespace and the network files from what it shares.
/// </summary>
internal sealed partial class ContainerService
{
    public const string HostMode = "host";
    public const string ContainerModePrefix = "container:";
    public const string SandboxModePrefix = "sandbox:";

    /// <summary>Docker's warning for <c>-p</c> with the host network, word for word.</summary>
    public const string HostPortsDiscarded = "Published ports are discarded when using host network mode";

    // The daemon's host: its namespace for the network, the machine's files as Docker copies them.
    private const string HostHostsFile = "/etc/hosts";
    private const string HostResolvConfFile = "/etc/resolv.conf";

    /// <summary>What a shared mode fixes at create: the mode as kept (owner by id) and the hostname the container gets.</summary>
    private sealed record SharedMode(string Mode, string? Hostname, bool DropPorts);

    private static bool IsSharedMode(string? mode) =>
        mode is HostMode
        || (mode is not null && (mode.StartsWith(ContainerModePrefix, StringComparison.Ordinal) || mode.StartsWith(SandboxModePrefix, StringComparison.Ordinal)));

    /// <summary>Checks a shared mode and everything that conflicts with it; null for networks and none.</summary>
    private async Task<SharedMode?> ResolveSharedModeAsync(string? name, ContainerCreateRequest request, List<string> warnings, CancellationToken cancellationToken)
    {
        var mode = request.HostConfig?.NetworkMode;
        if (!IsSharedMode(mode))
        {
            return null;
        }
        // The mode itself may come as an endpoint too (older clients send {"host": {}}): not another network.
        var endpoints = (request.NetworkingConfig?.EndpointsConfig ?? []).Keys.Where(k => k != mode).ToList();
        var hasPorts = request.HostConfig?.PortBindings is { Count: > 0 };
        if (endpoints.Count > 0)
        {
            throw new InvalidParameterException("NetworkingConfig.EndpointsConfig", string.Join(",", endpoints),
                $"a container with network mode {mode} joins no network of its own");
        }
        if (mode == HostMode)
        {
            if (hasPorts)
            {
                warnings.Add(HostPortsDiscarded);
            }
            // Docker gives a host-network container the host's name unless it is given one.
            return new SharedMode(HostMode, string.IsNullOrEmpty(request.Hostname) ? System.Net.Dns.GetHostName() : null, DropPorts: true);
        }

        if (hasPorts)
        {
            throw new InvalidParameterException("HostConfig.PortBindings", string.Join(",", request.HostConfig!.PortBindings!.Keys),
                $"conflicting options: port publishing and the network mode {mode}");
        }
        if (request.HostConfig?.Dns is { Count: > 0 } dns)
        {
            throw new InvalidParameterException("HostConfig.Dns", string.Join(",", dns), $"conflicting options: dns and the network mode {mode}");
        }
        if (mode!.StartsWith(ContainerModePrefix, StringComparison.Ordinal))
        {
            // The owner's resolv.conf is shared as it is: no search domains or options of its own.
            if (request.HostConfig?.DnsSearch is { Count: > 0 } search)
            {
                throw new InvalidParameterException("HostConfig.DnsSearch", string.Join(",", search), $"conflicting options: dns search and the network mode {mode}");
            }
            if (request.HostConfig?.DnsOptions is { Count: > 0 } options)
            {
                throw new InvalidParameterException("HostConfig.DnsOptions", string.Join(",", options), $"conflicting options: dns options and the network mode {mode}");
            }
        }
        if (mode!.StartsWith(ContainerModePrefix, StringComparison.Ordinal))
        {
            var reference = mode[ContainerModePrefix.Length..];
            if (!string.IsNullOrEmpty(request.Hostname))
            {
                throw new InvalidParameterException("Hostname", request.Hostname, $"conflicting options: hostname and the network mode {mode}");
            }
            if (reference.Length == 0)
            {
                throw new InvalidParameterException("HostConfig.NetworkMode", mode, "name the container whose network to join: container:NAME or container:ID");
            }
            if (!string.IsNullOrEmpty(name) && string.Equals(name.TrimStart('/'), reference, StringComparison.Ordinal))
            {
                throw new InvalidParameterException("HostConfig.NetworkMode", mode, "a container cannot join its own network");
            }
            var owner = TryFind(reference)
                ?? throw new InvalidParameterException("HostConfig.NetworkMode", mode, $"no such container: {reference}");
            if (owner.State != ContainerState.Running)
            {
                throw new ConflictException($"invalid HostConfig.NetworkMode \"{mode}\": container {owner.Name} is not running: start it first");
            }
            // The joiner shares the owner's names as well as its interfaces (Docker's behaviour).
            return new SharedMode(ContainerModePrefix + owner.Id, owner.Hostname, DropPorts: false);
        }

        var sandboxName = mode[SandboxModePrefix.Length..];
        SandboxInfo sandbox;
        try
        {
            sandbox = await _controller.GetSandboxAsync(sandboxName, cancellationToken).ConfigureAwait(false);
        }
        catch (NotFoundException)
        {
            throw new InvalidParameterException("HostConfig.NetworkMode", mode, $"no such sandbox: {sandboxName} (make it with netstack sandbox create)");
        }
        if (!string.IsNullOrEmpty(sandbox.ContainerId))
        {
            var holder = TryFind(sandbox.ContainerId);
            throw new InvalidParameterException("HostConfig.NetworkMode", mode,
                $"sandbox {sandbox.Name} is container {holder?.Name ?? sandbox.ContainerId[..Math.Min(12, sandbox.ContainerId.Length)]}'s: use container:{holder?.Name ?? sandbox.ContainerId}");
        }
        return new SharedMode(SandboxModePrefix + sandbox.Id, string.IsNullOrEmpty(request.Hostname) ? sandbox.Hostname : null, DropPorts: false);
    }

    /// <summary>The namespace and files for a start in a shared mode (the mode was checked at create; what it names may have gone since).</summary>
    private async Task<ContainerSandbox> SharedSandboxAsync(ContainerInfo info, CancellationToken cancellationToken)
    {
        var mode = info.NetworkMode!;
        if (mode == HostMode)
        {
            return new ContainerSandbox(null, HostsFile.WithExtraHosts(ReadHostFile(HostHostsFile), info.ExtraHosts),
                HostsFile.WithSearchAndOptions(ReadHostFile(HostResolvConfFile), info.DnsSearch, info.DnsOptions), HostNetwork: true);
        }
        if (mode.StartsWith(ContainerModePrefix, StringComparison.Ordinal))
        {
            var ownerId = mode[ContainerModePrefix.Length..];
            var owner = TryFind(ownerId)
                ?? throw new ConflictException($"cannot start container {info.Name}: container {ownerId[..Math.Min(12, ownerId.Length)]}, whose network it joins, is gone");
            if (owner.State != ContainerState.Running)
            {
                throw new ConflictException($"cannot start container {info.Name}: container {owner.Name}, whose network it joins, is not running");
            }
            var (hosts, resolvConf) = _runtime.ReadNetworkFiles(owner.Id);
            // The owner's init holds its namespace, whatever its own mode (a sandbox, none, host).
            return new ContainerSandbox($"/proc/{owner.Pid}/ns/net", hosts, resolvConf);
        }
        var sandboxId = mode[SandboxModePrefix.Length..];
        SandboxInfo sandbox;
        try
        {
            sandbox = await _controller.GetSandboxAsync(sandboxId, cancellationToken).ConfigureAwait(false);
        }
        catch (NotFoundException)
        {
            throw new ConflictException($"cannot start container {info.Name}: its sandbox {sandboxId[..Math.Min(12, sandboxId.Length)]} is gone");
        }
        var embeddedDns = await _resolvers.SyncAsync(sandbox.Id, cancellationToken).ConfigureAwait(false);
        return new ContainerSandbox(sandbox.Key, HostsFile.Hosts(info.Hostname, sandbox.Endpoints, info.ExtraHosts),
            embeddedDns ? HostsFile.EmbeddedResolvConf(info.DnsSearch, info.DnsOptions) : HostsFile.ResolvConf(sandbox.DnsServers, info.DnsSearch, info.DnsOptions));
    }

    /// <summary>The sandbox a container in sandbox: mode runs in; null for the other modes.</summary>
    private async Task<SandboxInfo?> SharedSandboxOfAsync(ContainerInfo info, CancellationToken cancellationToken)
    {
        if (info.NetworkMode is not { } mode || !mode.StartsWith(SandboxModePrefix, StringComparison.Ordinal))
        {
            return null;
        }
        try
        {
            return await _controller.GetSandboxAsync(mode[SandboxModePrefix.Length..], cancellationToken).ConfigureAwait(false);
        }
        catch (NotFoundException)
        {
            return null;
        }
    }

    /// <summary>Running containers that joined <paramref name="owner"/>'s network (container:ID).</summary>
    private IEnumerable<ContainerInfo> JoinersOf(ContainerInfo owner) =>
        _runtime.List(all: false).Where(c => c.NetworkMode == ContainerModePrefix + owner.Id);

    private static string ReadHostFile(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"cannot copy the host's {path} for a host-network container: {e.Message}", e);
        }
    }
}
