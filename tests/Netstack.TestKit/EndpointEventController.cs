using System.Collections.Immutable;
using Netstack.Controller;
using Netstack.Core;

namespace Netstack.TestKit;

/// <summary>
/// One node's controller as the DNS side sees it: networks with their scope, endpoints that join
/// and leave, and the endpoint events the real controller raises for them (synchronously, after the
/// change). Everything else is not needed and throws.
/// </summary>
public sealed class EndpointEventController : INetworkController
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, NetworkInfo> _networks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, EndpointInfo> _endpoints = new(StringComparer.Ordinal);
    private ImmutableArray<Action<EndpointEvent>> _handlers = [];
    private readonly string _node;
    private int _next;

    public EndpointEventController(string node) => _node = node;

    /// <summary>Adds a network this node knows (the same id on every node for a global one).</summary>
    public void AddNetwork(string id, string name, NetworkScope scope)
    {
        lock (_gate)
        {
            _networks[id] = new NetworkInfo { Id = id, Name = name, Driver = scope == NetworkScope.Global ? "overlay" : "bridge", Scope = scope };
        }
    }

    /// <summary>Connects a container to a network: an endpoint with the container's names and addresses, then the Joined event.</summary>
    public EndpointInfo Join(string networkId, string sandboxId, string container, string ipv4, string? ipv6 = null, params string[] aliases)
    {
        EndpointInfo endpoint;
        lock (_gate)
        {
            var network = _networks[networkId];
            endpoint = new EndpointInfo
            {
                Id = $"{_node}-ep{++_next}".PadRight(64, '0'),
                NetworkId = networkId,
                NetworkName = network.Name,
                Name = container,
                SandboxId = sandboxId,
                SandboxName = container,
                ContainerId = sandboxId,
                IPv4Address = CidrAddress.Parse(ipv4 + "/24"),
                IPv6Address = ipv6 is null ? null : CidrAddress.Parse(ipv6 + "/64"),
                Aliases = aliases,
                DnsNames = [container, .. aliases, sandboxId[..Math.Min(12, sandboxId.Length)]],
            };
            _endpoints[endpoint.Id] = endpoint;
        }
        Raise(new EndpointEvent(EndpointEventKind.Joined, endpoint));
        return endpoint;
    }

    /// <summary>Disconnects an endpoint, then the Left event.</summary>
    public void Leave(EndpointInfo endpoint)
    {
        lock (_gate)
        {
            _endpoints.Remove(endpoint.Id);
        }
        Raise(new EndpointEvent(EndpointEventKind.Left, endpoint));
    }

    /// <summary>Drops an endpoint without an event: it went while the daemon was down.</summary>
    public void Forget(EndpointInfo endpoint)
    {
        lock (_gate)
        {
            _endpoints.Remove(endpoint.Id);
        }
    }

    public Task<NetworkInfo> GetNetworkAsync(string idOrName, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return _networks.TryGetValue(idOrName, out var network)
                ? Task.FromResult(network)
                : throw new NotFoundException("network", idOrName);
        }
    }

    public Task<IReadOnlyList<EndpointInfo>> ListEndpointsAsync(string? network = null, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<EndpointInfo>>([.. _endpoints.Values.Where(e => network is null || e.NetworkId == network)]);
        }
    }

    public IDisposable SubscribeEndpointEvents(Action<EndpointEvent> handler)
    {
        ImmutableInterlocked.Update(ref _handlers, h => h.Add(handler));
        return new Unsubscribe(() => ImmutableInterlocked.Update(ref _handlers, h => h.Remove(handler)));
    }

    private void Raise(EndpointEvent e)
    {
        foreach (var handler in _handlers)
        {
            handler(e);
        }
    }

    public Task<NetworkInfo> CreateNetworkAsync(NetworkSpec spec, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<IReadOnlyList<NetworkInfo>> ListNetworksAsync(NetworkFilter? filter = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task DeleteNetworkAsync(string idOrName, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<IReadOnlyList<string>> PruneNetworksAsync(NetworkPruneFilter? filter = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<SandboxInfo> CreateSandboxAsync(SandboxSpec spec, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<SandboxInfo> GetSandboxAsync(string reference, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<IReadOnlyList<SandboxInfo>> ListSandboxesAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task DeleteSandboxAsync(string reference, bool force = false, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<SandboxInfo> RenameSandboxAsync(string reference, string newName, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<EndpointInfo> ConnectAsync(string network, string sandbox, EndpointSpec? spec = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task DisconnectAsync(string network, string sandbox, bool force = false, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<ReconcileReport> ReconcileAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();

    private sealed class Unsubscribe(Action dispose) : IDisposable
    {
        private Action? _dispose = dispose;

        public void Dispose() => Interlocked.Exchange(ref _dispose, null)?.Invoke();
    }
}
