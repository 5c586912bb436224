using System.Collections.Concurrent;
using System.Net;
using Netstack.Api.Contracts.Containers;
using Netstack.Api.Ports;
using Netstack.Controller;
using Netstack.Core;
using Netstack.Daemon.Dns;
using Netstack.Daemon.Upstream;
using Netstack.Upstream;
using Netstack.Upstream.Mapping;
using Netstack.Runtime;
using Netstack.Runtime.Containers;
using Netstack.Runtime.Images;
using ContainerState = Netstack.Runtime.Containers.ContainerState;
using Netstack.Core.FailPoints;

namespace Netstack.Daemon.Containers;

/// <summary>
/// Containers with their networks: the runtime runs them, the controller gives each a sandbox named
/// after it and connects it to its networks before runc starts, and takes all of it back when the
/// container exits, is stopped or removed. Every start either completes or leaves nothing behind.
/// </summary>
internal sealed partial class ContainerService : IContainerNetworking, IContainerCounts, IDisposable
{
    /// <summary>Docker's name for "the daemon's default network".</summary>
    public const string DefaultNetworkMode = "default";

    /// <summary>The network a container joins when it names none, as Docker's docker0 network is called.</summary>
    public const string DefaultNetworkName = "bridge";

    private readonly ContainerRuntime _runtime;
    private readonly ImageStore _images;
    private readonly INetworkController _controller;
    private readonly SandboxResolvers _resolvers;
    private readonly ILogger<ContainerService> _logger;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, Lazy<Task>> _releases = new(StringComparer.Ordinal);
    private readonly PortMapper? _upstream;

    public ContainerService(ContainerRuntime runtime, ImageStore images, INetworkController controller, SandboxResolvers resolvers, ILogger<ContainerService> logger, TimeProvider? time = null, PortMapper? upstream = null)
    {
        _time = time ?? TimeProvider.System;
        _upstream = upstream;
        _resolvers = resolvers;
        _runtime = runtime;
        _images = images;
        _controller = controller;
        _logger = logger;
        _runtime.ContainerExited += OnContainerExited;
    }

    public ContainerRuntime Runtime => _runtime;

    public void Dispose()
    {
        _runtime.ContainerExited -= OnContainerExited;
        _restarts.Cancel();
    }

    /// <summary>
    /// Recovers the runtime's containers after a daemon start (the exit handler is already
    /// subscribed). Their resolvers come back with <see cref="SandboxResolvers.StartAsync"/>.
    /// </summary>
    public async Task<IReadOnlyList<ContainerInfo>> RecoverAsync(CancellationToken cancellationToken)
    {
        // Exits found during recovery are left to ApplyRestartPoliciesAsync, which runs after it.
        _recovering = true;
        try
        {
            var recovered = await _runtime.RecoverAsync(cancellationToken).ConfigureAwait(false);
            await ReleaseOrphanSandboxesAsync(recovered, cancellationToken).ConfigureAwait(false);
            if (_upstream is { Enabled: true })
            {
                // Containers outlive the daemon: their upstream mappings are asked for again (and the
                // mapper takes over the ones the previous daemon made instead of removing them).
                foreach (var info in recovered.Where(c => c.State == ContainerState.Running))
                {
                    if (await SandboxOfAsync(info, cancellationToken).ConfigureAwait(false) is { } sandbox)
                    {
                        await PublishUpstreamAsync(info, sandbox.Endpoints, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
            return recovered;
        }
        finally
        {
            _recovering = false;
        }
    }

    private volatile bool _recovering;

    /// <summary>
    /// A container's sandbox lives exactly while the container runs. A daemon killed between a
    /// container's exit (a stop, an rm -f) and the release of its sandbox leaves the sandbox with
    /// its endpoints, addresses and ports: released here, for containers that no longer run or no
    /// longer exist. Sandboxes made with <c>sandbox create</c> belong to no container and stay.
    /// </summary>
    private async Task ReleaseOrphanSandboxesAsync(IReadOnlyList<ContainerInfo> recovered, CancellationToken cancellationToken)
    {
        var running = recovered.Where(c => c.State == ContainerState.Running).Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var sandbox in await _controller.ListSandboxesAsync(cancellationToken).ConfigureAwait(false))
        {
            if (sandbox.ContainerId is { } owner && !running.Contains(owner))
            {
                try
                {
                    await _controller.DeleteSandboxAsync(sandbox.Id, force: true, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is NetstackException)
                {
                    Log.ContainerCleanupFailed(_logger, owner, e);
                }
            }
        }
    }

    public (int Total, int Running, int Images) Count()
    {
        var all = _runtime.List(all: true);
        return (all.Count, all.Count(c => c.State == ContainerState.Running), _images.List().Count);
    }

    // ---- create / start

    /// <summary>Validates the request (networks must exist, ports must parse) and creates the container record.</summary>
    public Task<ContainerInfo> CreateAsync(string? name, ContainerCreateRequest request, CancellationToken cancellationToken) =>
        CreateAsync(name, request, [], cancellationToken);

    /// <summary>As above; what is accepted but ignored (ports with the host network) goes to <paramref name="warnings"/>.</summary>
    public async Task<ContainerInfo> CreateAsync(string? name, ContainerCreateRequest request, List<string> warnings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrWhiteSpace(request.Image))
        {
            throw new InvalidParameterException("Image", request.Image, "name the image to run");
        }
        var restartPolicy = ToRestartPolicy(request.HostConfig);
        var consoleSize = request.HostConfig?.ConsoleSize;
        if (consoleSize is { Count: > 0 } && (consoleSize.Count != 2 || consoleSize.Any(n => n < 0 || n > ushort.MaxValue)))
        {
            throw new InvalidParameterException("HostConfig.ConsoleSize", "[" + string.Join(",", consoleSize) + "]", "expected [height, width], each 0 to 65535");
        }
        UpstreamLabels.Validate(request.Labels);
        foreach (var server in request.HostConfig?.Dns ?? [])
        {
            if (!Api.Client.StrictAddress.TryParse(server, out _))
            {
                throw new InvalidParameterException("HostConfig.Dns", server, "not an IP address");
            }
        }
        var mounts = ToMounts(request.HostConfig);
        var (dnsSearch, dnsOptions) = ToDnsSettings(request.HostConfig);
        var stop = ToStopSettings(request);
        var shared = await ResolveSharedModeAsync(name, request, warnings, cancellationToken).ConfigureAwait(false);
        var resources = ToResources(request.HostConfig, warnings);
        var extraHosts = request.HostConfig?.ExtraHosts ?? [];
        foreach (var entry in extraHosts)
        {
            if (HostsFile.SplitExtraHost(entry) is null)
            {
                throw new InvalidParameterException("HostConfig.ExtraHosts", entry, "expected NAME:IP, e.g. db.example:10.1.2.3");
            }
        }
        if (extraHosts.Count > 0 && request.HostConfig?.NetworkMode is { } sharing && sharing.StartsWith(ContainerModePrefix, StringComparison.Ordinal))
        {
            throw new InvalidParameterException("HostConfig.ExtraHosts", string.Join(",", extraHosts), $"conflicting options: custom host-to-IP mapping and the network mode {sharing}");
        }
        var networks = shared is null ? await ResolveNetworksAsync(request, cancellationToken).ConfigureAwait(false) : [];
        var ports = ToPortRequests(request.HostConfig?.PortBindings);
        if (shared is { DropPorts: true })
        {
            ports = [];
        }
        var spec = new ContainerSpec
        {
            Image = request.Image,
            Cmd = request.Cmd ?? [],
            Env = request.Env ?? [],
            Name = string.IsNullOrEmpty(name) ? null : name,
            Hostname = string.IsNullOrEmpty(request.Hostname) ? shared?.Hostname : request.Hostname,
            WorkingDir = string.IsNullOrEmpty(request.WorkingDir) ? null : request.WorkingDir,
            AutoRemove = request.HostConfig?.AutoRemove ?? false,
            Networks = networks,
            Ports = ports,
            Dns = request.HostConfig?.Dns ?? [],
            Labels = request.Labels ?? new Dictionary<string, string>(StringComparer.Ordinal),
            NetworkMode = shared?.Mode,
            Resources = resources,
            RestartPolicy = restartPolicy,
            ExtraHosts = extraHosts,
            Mounts = mounts,
            ReadonlyRootfs = request.HostConfig?.ReadonlyRootfs ?? false,
            User = string.IsNullOrEmpty(request.User) ? null : request.User,
            DnsSearch = dnsSearch,
            DnsOptions = dnsOptions,
            StopSignal = stop.Signal,
            StopTimeout = stop.Timeout,
            Tty = request.Tty,
            OpenStdin = request.OpenStdin,
            StdinOnce = request.OpenStdin && request.StdinOnce,
            ConsoleSize = consoleSize is [> 0, > 0] ? consoleSize : null,
        };
        try
        {
            return await _runtime.CreateAsync(spec, cancellationToken).ConfigureAwait(false);
        }
        catch (RuntimeException e) when (e.Kind == RuntimeErrorKind.InvalidArgument && spec.User is not null && e.Message.Contains(spec.User, StringComparison.Ordinal))
        {
            // The image has no such user or group: name the field as the other checks do.
            var prefix = $"invalid user \"{spec.User}\": ";
            throw new InvalidParameterException("User", spec.User, e.Message.StartsWith(prefix, StringComparison.Ordinal) ? e.Message[prefix.Length..] : e.Message);
        }
    }

    /// <summary>
    /// Starts a container: a sandbox named after it, an endpoint on each of its networks (ports
    /// published on the first), then runc. A failure undoes the sandbox and endpoints.
    /// Returns false when it was already running (the engine's 304).
    /// </summary>
    public async Task<bool> StartAsync(string reference, CancellationToken cancellationToken)
    {
        var info = _runtime.Inspect(reference);
        if (info.State == ContainerState.Running)
        {
            return false;
        }
        if (info.RestartPolicy is not null)
        {
            await MarkStartedByUserAsync(info.Id, cancellationToken).ConfigureAwait(false);
        }
        return await StartCoreAsync(info.Id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The start itself, for a user's start and for a restart by policy.</summary>
    private async Task<bool> StartCoreAsync(string reference, CancellationToken cancellationToken)
    {
        var info = _runtime.Inspect(reference);
        if (info.State == ContainerState.Running)
        {
            return false;
        }
        // A release still running from the last exit must finish before the new sandbox is made.
        await ReleaseAsync(info.Id).ConfigureAwait(false);
        if (IsSharedMode(info.NetworkMode))
        {
            // No sandbox of its own: the host's namespace, or the one it shares.
            await _runtime.StartAsync(info.Id, await SharedSandboxAsync(info, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            return true;
        }

        SandboxInfo? sandbox = null;
        var endpoints = new List<EndpointInfo>();
        try
        {
            sandbox = await _controller.CreateSandboxAsync(new SandboxSpec
            {
                Name = info.Name,
                ContainerId = info.Id,
                Hostname = info.Hostname,
                DnsServers = info.Dns,
                Labels = info.Labels,
            }, cancellationToken).ConfigureAwait(false);
            FailPoint.Hit(FailPointNames.ContainerStartAfterSandbox);

            for (var i = 0; i < info.Networks.Count; i++)
            {
                var request = info.Networks[i];
                endpoints.Add(await _controller.ConnectAsync(request.Network, sandbox.Id, new EndpointSpec
                {
                    IPv4Address = request.IPv4Address,
                    IPv6Address = request.IPv6Address,
                    Aliases = request.Aliases ?? [],
                    PublishedPorts = i == 0 ? ToBindings(info.Ports) : [],
                }, cancellationToken).ConfigureAwait(false));
            }

            // On a user-defined network the container asks the sandbox's resolver, which is up
            // before runc starts; only on the default bridge it gets the servers directly, as Docker.
            FailPoint.Hit(FailPointNames.ContainerStartAfterEndpoints);
            var embeddedDns = await _resolvers.SyncAsync(sandbox.Id, cancellationToken).ConfigureAwait(false);
            FailPoint.Hit(FailPointNames.ContainerStartAfterDns);
            await _runtime.StartAsync(info.Id, new ContainerSandbox(
                sandbox.Key,
                HostsFile.Hosts(info.Hostname, endpoints, info.ExtraHosts),
                ResolvConfOf(info, embeddedDns)), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            if (sandbox is not null)
            {
                // Nothing of a failed start stays: the sandbox goes with every endpoint in it.
                await _controller.DeleteSandboxAsync(sandbox.Id, force: true, CancellationToken.None).ConfigureAwait(false);
            }
            throw;
        }
        // The container runs and its record says so: the start is done. What follows must not undo
        // it (taking the sandbox from a running container would cut it off): a failure is logged.
        try
        {
            FailPoint.Hit(FailPointNames.ContainerStartAfterRecord);
            // Only asked for here: the router is talked to in the background, the start does not wait for it.
            await PublishUpstreamAsync(info, endpoints, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.ContainerCleanupFailed(_logger, info.Id, e);
        }
        return true;
    }

    // ---- stop / kill / wait / remove

    public Task StopAsync(string reference, TimeSpan? timeout, CancellationToken cancellationToken) =>
        StopAsync(reference, timeout, null, cancellationToken);

    /// <summary>Stops with <paramref name="signal"/> (the engine's <c>signal</c> query), else the container's stop signal, then SIGKILL after the timeout.</summary>
    public async Task StopAsync(string reference, TimeSpan? timeout, string? signal, CancellationToken cancellationToken)
    {
        await MarkStoppedByUserAsync(reference, cancellationToken).ConfigureAwait(false);
        var info = await _runtime.StopAsync(reference, timeout, signal, cancellationToken).ConfigureAwait(false);
        FailPoint.Hit(FailPointNames.ContainerStopAfterExit);
        await ReleaseAsync(info.Id).ConfigureAwait(false);
        FailPoint.Hit(FailPointNames.ContainerStopAfterRelease);
    }

    public async Task KillAsync(string reference, string? signal, CancellationToken cancellationToken)
    {
        await MarkStoppedByUserAsync(reference, cancellationToken).ConfigureAwait(false);
        await _runtime.KillAsync(reference, string.IsNullOrEmpty(signal) ? "SIGKILL" : signal, cancellationToken).ConfigureAwait(false);
    }

    public async Task<int> WaitAsync(string reference, CancellationToken cancellationToken)
    {
        var info = await _runtime.WaitAsync(reference, cancellationToken).ConfigureAwait(false);
        await ReleaseAsync(info.Id).ConfigureAwait(false);
        return info.ExitCode ?? ContainerRuntime.UnknownExitCode;
    }

    public async Task RemoveAsync(string reference, bool force, CancellationToken cancellationToken)
    {
        if (force)
        {
            // No restart by policy between the kill and the removal.
            await MarkStoppedByUserAsync(reference, cancellationToken).ConfigureAwait(false);
        }
        var info = await _runtime.DeleteAsync(reference, force, cancellationToken).ConfigureAwait(false);
        await ReleaseAsync(info.Id).ConfigureAwait(false);
        FailPoint.Hit(FailPointNames.ContainerRemoveAfterRelease);
        ForgetRestartState(info.Id);
        RaiseRemoved(info.Id);
    }

    /// <summary>Commands in containers run as the container's own user (root): another is a 400 naming it.</summary>
    public static void RefuseExecUser(string? user)
    {
        if (!string.IsNullOrEmpty(user))
        {
            throw new InvalidParameterException("User", user, "running as another user is not supported");
        }
    }

    public Task<ExecResult> ExecAsync(string reference, ContainerExecRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        RefuseExecUser(request.User);
        return _runtime.ExecAsync(reference, request.Cmd ?? [], request.Env, string.IsNullOrEmpty(request.WorkingDir) ? null : request.WorkingDir, cancellationToken);
    }

    // ---- network connect / disconnect (containers or bare sandboxes)

    public async Task<EndpointInfo> ConnectAsync(string network, string target, EndpointSpec spec, CancellationToken cancellationToken)
    {
        var container = TryFind(target);
        if (container is null)
        {
            return await _controller.ConnectAsync(network, target, spec, cancellationToken).ConfigureAwait(false);
        }
        if (container.State != ContainerState.Running)
        {
            throw new ConflictException($"container {container.Name} is not running: start it, then connect it");
        }
        if (IsSharedMode(container.NetworkMode))
        {
            throw new ConflictException(container.NetworkMode!.StartsWith(SandboxModePrefix, StringComparison.Ordinal)
                ? $"container {container.Name} runs in a sandbox of its network mode ({container.NetworkMode}): connect that sandbox instead"
                : $"container {container.Name} shares the network of {container.NetworkMode}: it cannot be connected to networks of its own");
        }
        var endpoint = await _controller.ConnectAsync(network, container.Id, spec, cancellationToken).ConfigureAwait(false);
        await RefreshNetworkFilesAsync(container, cancellationToken).ConfigureAwait(false);
        return endpoint;
    }

    public async Task DisconnectAsync(string network, string target, bool force, CancellationToken cancellationToken)
    {
        var container = TryFind(target);
        await _controller.DisconnectAsync(network, container?.Id ?? target, force, cancellationToken).ConfigureAwait(false);
        if (container is { State: ContainerState.Running })
        {
            await RefreshNetworkFilesAsync(container, cancellationToken).ConfigureAwait(false);
        }
    }

    // ---- views

    /// <summary>The container's sandbox, or null when it has none (not running).</summary>
    public async Task<SandboxInfo?> SandboxOfAsync(ContainerInfo container, CancellationToken cancellationToken)
    {
        if (container.State != ContainerState.Running)
        {
            return null;
        }
        if (IsSharedMode(container.NetworkMode))
        {
            return await SharedSandboxOfAsync(container, cancellationToken).ConfigureAwait(false);
        }
        try
        {
            return await _controller.GetSandboxAsync(container.Id, cancellationToken).ConfigureAwait(false);
        }
        catch (NotFoundException)
        {
            return null;
        }
    }

    private ContainerInfo? TryFind(string reference)
    {
        try
        {
            return _runtime.Inspect(reference);
        }
        catch (RuntimeException e) when (e.Kind is RuntimeErrorKind.NotFound or RuntimeErrorKind.InvalidArgument)
        {
            return null;
        }
    }

    /// <summary>
    /// After a connect or disconnect: /etc/hosts lists the container's addresses now, and
    /// /etc/resolv.conf follows its resolver. A container that joins its first user-defined network
    /// gets the embedded resolver (as Docker starts it on connect); one that leaves its last gets
    /// its servers back directly.
    /// </summary>
    private async Task RefreshNetworkFilesAsync(ContainerInfo container, CancellationToken cancellationToken)
    {
        var sandbox = await SandboxOfAsync(container, cancellationToken).ConfigureAwait(false);
        if (sandbox is not null)
        {
            var embeddedDns = await _resolvers.SyncAsync(sandbox.Id, cancellationToken).ConfigureAwait(false);
            await _runtime.UpdateNetworkFilesAsync(container.Id,
                HostsFile.Hosts(container.Hostname, sandbox.Endpoints, container.ExtraHosts),
                ResolvConfOf(container, embeddedDns),
                cancellationToken).ConfigureAwait(false);
            // Containers that joined this one's network share its files too.
            foreach (var joiner in JoinersOf(container))
            {
                var (hosts, resolvConf) = _runtime.ReadNetworkFiles(container.Id);
                await _runtime.UpdateNetworkFilesAsync(joiner.Id, hosts, resolvConf, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    // ---- exit handling

    private void OnContainerExited(object? sender, ContainerExitedEventArgs e)
    {
        var info = e.Container;
        Log.ContainerExited(_logger, info.Id, info.Name, info.ExitCode ?? ContainerRuntime.UnknownExitCode);
        // Read now: an exit found by the recovery is the daemon start's to restart, not this handler's.
        var recovering = _recovering;
        _ = Task.Run(async () =>
        {
            await ReleaseAsync(info.Id).ConfigureAwait(false);
            // The record as it is now: a user's stop marked it before the exit came.
            if (!recovering && TryFind(info.Id) is { State: ContainerState.Exited } current)
            {
                ScheduleRestart(current);
            }
            if (info.AutoRemove)
            {
                try
                {
                    await _runtime.DeleteAsync(info.Id, force: true, CancellationToken.None).ConfigureAwait(false);
                    RaiseRemoved(info.Id);
                }
                catch (RuntimeException ex) when (ex.Kind == RuntimeErrorKind.NotFound)
                {
                    // Already removed by an explicit rm.
                }
                catch (Exception ex)
                {
                    Log.AutoRemoveFailed(_logger, info.Id, ex);
                }
            }
        });
    }

    /// <summary>
    /// Gives back a stopped container's sandbox, endpoints and addresses. Concurrent callers (the
    /// exit event, stop, wait, rm) share one run; a sandbox already gone is success.
    /// </summary>
    private async Task ReleaseAsync(string containerId)
    {
        var release = _releases.GetOrAdd(containerId, id => new Lazy<Task>(() => ReleaseCoreAsync(id)));
        try
        {
            await release.Value.ConfigureAwait(false);
        }
        finally
        {
            _releases.TryRemove(new KeyValuePair<string, Lazy<Task>>(containerId, release));
        }
    }

    private async Task ReleaseCoreAsync(string containerId)
    {
        _upstream?.Withdraw(containerId);
        try
        {
            var sandbox = await _controller.GetSandboxAsync(containerId, CancellationToken.None).ConfigureAwait(false);
            if (string.Equals(sandbox.ContainerId, containerId, StringComparison.Ordinal))
            {
                await _controller.DeleteSandboxAsync(sandbox.Id, force: true, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (NotFoundException)
        {
            // Never started, or released already.
        }
        catch (Exception e)
        {
            Log.ContainerCleanupFailed(_logger, containerId, e);
        }
    }

    // ---- upstream port mapping

    /// <summary>
    /// Asks the upstream mapper for the container's published ports when it opted in (its label, or
    /// its network's). Only ports on all host addresses are mapped: one bound to a single address
    /// (127.0.0.1, say) was not meant to be reached from the LAN, let alone from outside.
    /// </summary>
    private async Task PublishUpstreamAsync(ContainerInfo info, IReadOnlyList<EndpointInfo> endpoints, CancellationToken cancellationToken)
    {
        if (_upstream is not { Enabled: true })
        {
            return;
        }
        var published = endpoints.Where(e => e.PublishedPorts.Count > 0).ToList();
        if (published.Count == 0)
        {
            return;
        }
        IReadOnlyDictionary<string, string>? networkLabels = null;
        try
        {
            networkLabels = (await _controller.GetNetworkAsync(published[0].NetworkId, cancellationToken).ConfigureAwait(false)).Labels;
        }
        catch (NotFoundException)
        {
            // Removed meanwhile: the container's own label decides alone.
        }
        if (!UpstreamLabels.OptedIn(info.Labels, networkLabels))
        {
            return;
        }
        var ports = published.SelectMany(e => e.PublishedPorts)
            .Where(p => p.HostPort > 0 && p.Protocol != PortProtocol.Sctp
                && (p.HostIp is null || p.HostIp.Equals(IPAddress.Any)))
            .Select(p => new PublishedPort(p.Protocol == PortProtocol.Udp ? MappingTransport.Udp : MappingTransport.Tcp, p.ContainerPort, p.HostPort))
            .ToList();
        if (ports.Count > 0)
        {
            _upstream.Publish(info.Id, info.Name, ports, UpstreamLabels.ConflictOf(info.Labels, networkLabels));
        }
    }

    // ---- request conversion

    private async Task<IReadOnlyList<ContainerNetworkRequest>> ResolveNetworksAsync(ContainerCreateRequest request, CancellationToken cancellationToken)
    {
        var mode = request.HostConfig?.NetworkMode;
        var endpoints = request.NetworkingConfig?.EndpointsConfig ?? [];
        if (mode is "host")
        {
            throw new InvalidParameterException("HostConfig.NetworkMode", mode, "the host network is not supported; use a bridge network");
        }
        if (mode is "none")
        {
            return endpoints.Count == 0
                ? []
                : throw new InvalidParameterException("NetworkingConfig.EndpointsConfig", string.Join(",", endpoints.Keys), "a container with network mode none joins no network");
        }
        if (mode is not null && mode.StartsWith("container:", StringComparison.Ordinal))
        {
            throw new InvalidParameterException("HostConfig.NetworkMode", mode, "sharing another container's network is not supported");
        }

        // The first network is NetworkMode (unless default), then EndpointsConfig in order.
        var names = new List<string>();
        if (!string.IsNullOrEmpty(mode) && mode != DefaultNetworkMode)
        {
            names.Add(mode);
        }
        names.AddRange(endpoints.Keys.Where(k => !names.Contains(k, StringComparer.Ordinal)));
        if (names.Count == 0)
        {
            try
            {
                await _controller.GetNetworkAsync(DefaultNetworkName, cancellationToken).ConfigureAwait(false);
                names.Add(DefaultNetworkName);
            }
            catch (NotFoundException)
            {
                // No default network here: the container gets loopback only, like --network none.
            }
        }

        var result = new List<ContainerNetworkRequest>();
        foreach (var name in names)
        {
            // Refuse an unknown network now, before anything is created.
            var network = await _controller.GetNetworkAsync(name, cancellationToken).ConfigureAwait(false);
            endpoints.TryGetValue(name, out var settings);
            result.Add(new ContainerNetworkRequest(
                network.Name,
                string.IsNullOrEmpty(settings?.IpamConfig?.IPv4Address) ? null : settings.IpamConfig.IPv4Address,
                string.IsNullOrEmpty(settings?.IpamConfig?.IPv6Address) ? null : settings.IpamConfig.IPv6Address,
                settings?.Aliases is { Count: > 0 } aliases ? [.. aliases] : null));
        }
        return result;
    }

    /// <exception cref="InvalidParameterException">A port key, host port or host address that does not parse, named.</exception>
    internal static IReadOnlyList<PortRequest> ToPortRequests(Dictionary<string, List<Api.Contracts.Containers.PortBinding>>? bindings)
    {
        var result = new List<PortRequest>();
        foreach (var (key, list) in bindings ?? [])
        {
            int port;
            string protocol;
            try
            {
                (port, protocol) = PortSpec.ParseKey(key);
            }
            catch (FormatException e)
            {
                throw new InvalidParameterException("HostConfig.PortBindings", key, e.Message);
            }
            foreach (var binding in list ?? [])
            {
                int? hostPort;
                try
                {
                    hostPort = PortSpec.ParseHostPort(key, binding.HostPort);
                }
                catch (FormatException e)
                {
                    throw new InvalidParameterException($"HostConfig.PortBindings[{key}].HostPort", binding.HostPort, e.Message);
                }
                var hostIp = string.IsNullOrEmpty(binding.HostIp) ? null : binding.HostIp;
                if (hostIp is not null && !Api.Client.StrictAddress.TryParse(hostIp, out _))
                {
                    throw new InvalidParameterException($"HostConfig.PortBindings[{key}].HostIp", hostIp, "not an IP address");
                }
                result.Add(new PortRequest(port, protocol, hostIp, hostPort ?? 0));
            }
        }
        return result;
    }

    internal static IReadOnlyList<Core.PortBinding> ToBindings(IReadOnlyList<PortRequest> ports) =>
        ports.Select(p => new Core.PortBinding
        {
            ContainerPort = p.ContainerPort,
            Protocol = p.Protocol == "udp" ? PortProtocol.Udp : PortProtocol.Tcp,
            HostIp = p.HostIp is null ? null : IPAddress.Parse(p.HostIp),
            HostPort = p.HostPort,
        }).ToList();
}
