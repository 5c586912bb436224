using System.Collections.Concurrent;
using System.Net;
using Netstack.Controller;
using Netstack.Core;

namespace Netstack.Api.Tests.Fakes;

/// <summary>
/// An in-memory controller for testing the HTTP layer above it (routing, JSON, status codes): it
/// keeps networks and sandboxes by name, answers with the controller's error types, and records
/// what it was asked.
/// </summary>
internal sealed class FakeNetworkController : INetworkController
{
    private readonly ConcurrentDictionary<string, NetworkInfo> _networks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SandboxInfo> _sandboxes = new(StringComparer.Ordinal);
    private int _next;

    public NetworkSpec? LastSpec { get; private set; }

    public NetworkFilter? LastFilter { get; private set; }

    public NetworkPruneFilter? LastPruneFilter { get; private set; }

    public EndpointSpec? LastEndpointSpec { get; private set; }

    public (string Network, string Sandbox, bool Force)? LastDisconnect { get; private set; }

    /// <summary>Thrown by the next call, to test how faults are answered.</summary>
    public Exception? FailNext { get; set; }

    public int ReconcileCalls { get; private set; }

    private void MaybeFail()
    {
        if (FailNext is { } e)
        {
            FailNext = null;
            throw e;
        }
    }

    private string NewId() => Interlocked.Increment(ref _next).ToString("x64", System.Globalization.CultureInfo.InvariantCulture);

    public Task<NetworkInfo> CreateNetworkAsync(NetworkSpec spec, CancellationToken cancellationToken = default)
    {
        MaybeFail();
        LastSpec = spec;
        if (spec.Driver != "bridge")
        {
            throw new InvalidParameterException("Driver", spec.Driver, "no such network driver");
        }
        var pools = spec.Ipam.Pools.Select(p => new IpamPoolInfo
        {
            PoolId = p.Subnet ?? "auto",
            Subnet = IPNetwork.Parse(p.Subnet ?? "172.18.0.0/16"),
            Gateway = new CidrAddress(IPAddress.Parse(p.Gateway ?? "172.18.0.1"), 16),
        }).ToList();
        var network = new NetworkInfo
        {
            Id = NewId(),
            Name = spec.Name,
            Driver = spec.Driver,
            Created = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero),
            Ipam = new IpamInfo { Pools = pools },
            Options = spec.Options,
            Labels = spec.Labels,
            Internal = spec.Internal,
        };
        if (!_networks.TryAdd(spec.Name, network))
        {
            throw new ConflictException($"network with name {spec.Name} already exists");
        }
        return Task.FromResult(network);
    }

    public Task<NetworkInfo> GetNetworkAsync(string idOrName, CancellationToken cancellationToken = default)
    {
        MaybeFail();
        var network = _networks.Values.FirstOrDefault(n => n.Id == idOrName || n.Name == idOrName)
            ?? throw new NotFoundException("network", idOrName);
        var endpoints = _sandboxes.Values.SelectMany(s => s.Endpoints).Where(e => e.NetworkId == network.Id).ToList();
        return Task.FromResult(network with { Endpoints = endpoints });
    }

    public Task<IReadOnlyList<NetworkInfo>> ListNetworksAsync(NetworkFilter? filter = null, CancellationToken cancellationToken = default)
    {
        MaybeFail();
        LastFilter = filter;
        IReadOnlyList<NetworkInfo> list = [.. _networks.Values
            .Where(n => filter is null || filter.Names.Count == 0 || filter.Names.Any(x => n.Name.Contains(x, StringComparison.Ordinal)))
            .OrderBy(n => n.Name, StringComparer.Ordinal)];
        return Task.FromResult(list);
    }

    public Task DeleteNetworkAsync(string idOrName, CancellationToken cancellationToken = default)
    {
        MaybeFail();
        var network = _networks.Values.FirstOrDefault(n => n.Id == idOrName || n.Name == idOrName)
            ?? throw new NotFoundException("network", idOrName);
        if (_sandboxes.Values.Any(s => s.Endpoints.Any(e => e.NetworkId == network.Id)))
        {
            throw new ForbiddenException($"network {network.Name} has active endpoints");
        }
        _networks.TryRemove(network.Name, out _);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<string>> PruneNetworksAsync(NetworkPruneFilter? filter = null, CancellationToken cancellationToken = default)
    {
        MaybeFail();
        LastPruneFilter = filter;
        var unused = _networks.Values.Where(n => !_sandboxes.Values.Any(s => s.Endpoints.Any(e => e.NetworkId == n.Id))).Select(n => n.Name).ToList();
        foreach (var name in unused)
        {
            _networks.TryRemove(name, out _);
        }
        return Task.FromResult<IReadOnlyList<string>>(unused);
    }

    public Task<SandboxInfo> CreateSandboxAsync(SandboxSpec spec, CancellationToken cancellationToken = default)
    {
        MaybeFail();
        var sandbox = new SandboxInfo { Id = NewId(), Name = spec.Name, Key = "/run/netstack/netns/" + spec.Name, ContainerId = spec.ContainerId };
        if (!_sandboxes.TryAdd(spec.Name, sandbox))
        {
            throw new ConflictException($"sandbox {spec.Name} already exists");
        }
        return Task.FromResult(sandbox);
    }

    public Task<SandboxInfo> GetSandboxAsync(string reference, CancellationToken cancellationToken = default)
    {
        MaybeFail();
        return Task.FromResult(FindSandbox(reference));
    }

    private SandboxInfo FindSandbox(string reference) =>
        _sandboxes.Values.FirstOrDefault(s => s.Id == reference || s.Name == reference || s.ContainerId == reference)
        ?? throw new NotFoundException("sandbox", reference);

    public Task<IReadOnlyList<SandboxInfo>> ListSandboxesAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<SandboxInfo>>([.. _sandboxes.Values]);

    public Task DeleteSandboxAsync(string reference, bool force = false, CancellationToken cancellationToken = default)
    {
        MaybeFail();
        var sandbox = FindSandbox(reference);
        if (sandbox.Endpoints.Count > 0 && !force)
        {
            throw new ForbiddenException($"sandbox {sandbox.Name} has endpoints");
        }
        _sandboxes.TryRemove(sandbox.Name, out _);
        return Task.CompletedTask;
    }

    public Task<SandboxInfo> RenameSandboxAsync(string reference, string newName, CancellationToken cancellationToken = default) =>
        throw new NotImplementedNetstackException("rename");

    public async Task<EndpointInfo> ConnectAsync(string network, string sandbox, EndpointSpec? spec = null, CancellationToken cancellationToken = default)
    {
        MaybeFail();
        LastEndpointSpec = spec;
        var net = await GetNetworkAsync(network, cancellationToken);
        var box = FindSandbox(sandbox);
        if (box.Endpoints.Any(e => e.NetworkId == net.Id))
        {
            throw new ConflictException($"sandbox {box.Name} is already connected to network {net.Name}");
        }
        var endpoint = new EndpointInfo
        {
            Id = NewId(),
            NetworkId = net.Id,
            NetworkName = net.Name,
            Name = box.Name,
            SandboxId = box.Id,
            SandboxName = box.Name,
            MacAddress = "02:42:ac:12:00:02",
            IPv4Address = CidrAddress.Parse(spec?.IPv4Address is { } ip ? ip + "/16" : "172.18.0.2/16"),
            InterfaceName = "eth" + box.Endpoints.Count,
        };
        _sandboxes[box.Name] = box with { Endpoints = [.. box.Endpoints, endpoint] };
        return endpoint;
    }

    public async Task DisconnectAsync(string network, string sandbox, bool force = false, CancellationToken cancellationToken = default)
    {
        MaybeFail();
        LastDisconnect = (network, sandbox, force);
        var net = await GetNetworkAsync(network, cancellationToken);
        var box = FindSandbox(sandbox);
        if (!box.Endpoints.Any(e => e.NetworkId == net.Id))
        {
            throw new NotFoundException("endpoint", $"{box.Name} on {net.Name}");
        }
        _sandboxes[box.Name] = box with { Endpoints = [.. box.Endpoints.Where(e => e.NetworkId != net.Id)] };
    }

    public Task<IReadOnlyList<EndpointInfo>> ListEndpointsAsync(string? network = null, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<EndpointInfo>>([.. _sandboxes.Values.SelectMany(s => s.Endpoints)]);

    public Task<ReconcileReport> ReconcileAsync(CancellationToken cancellationToken = default)
    {
        ReconcileCalls++;
        return Task.FromResult(new ReconcileReport());
    }

    public IDisposable SubscribeEndpointEvents(Action<EndpointEvent> handler) => new Unsubscriber();

    private sealed class Unsubscriber : IDisposable
    {
        public void Dispose()
        {
        }
    }
}
