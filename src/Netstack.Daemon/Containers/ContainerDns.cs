using System.Collections.Concurrent;
using System.Net;
using Netstack.Controller;
using Netstack.Core;
using Netstack.Dns.Names;
using Netstack.Dns.Resolver;
using Netstack.Dns.Sandbox;
using Netstack.Linux;

namespace Netstack.Daemon.Containers;

/// <summary>
/// Name resolution for containers: one name table fed by the controller's endpoint events, and one
/// resolver per running container on 127.0.0.11:53 inside its sandbox. Names are answered only to
/// containers that share a network with them (the resolver scopes by the asking sandbox). Other
/// names go to the container's <c>--dns</c> servers; without any, they are not forwarded: the
/// host's resolv.conf may name a server that must not be queried from here.
/// </summary>
internal sealed class ContainerDns : IDisposable
{
    /// <summary>DNS port (RFC 1035 4.2), bound directly: no firewall redirect needed in the sandbox.</summary>
    private const int DnsPort = 53;

    private readonly INetworkController _controller;
    private readonly ILoggerFactory _loggers;
    private readonly TimeProvider _time;
    private readonly DnsNameTable _names = new();
    private readonly ConcurrentDictionary<string, (SandboxDnsServer Server, NetworkNamespace Namespace)> _servers = new(StringComparer.Ordinal);
    private IDisposable? _subscription;

    public ContainerDns(INetworkController controller, ILoggerFactory loggers, TimeProvider time)
    {
        _controller = controller;
        _loggers = loggers;
        _time = time;
    }

    /// <summary>What a container's /etc/resolv.conf says: our resolver.</summary>
    public static string ResolvConf => $"nameserver {SandboxDnsServer.Address}\noptions ndots:0\n";

    /// <summary>Subscribes first, then loads the endpoints that exist, so no change is missed.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        _subscription ??= _controller.SubscribeEndpointEvents(OnEndpointEvent);
        foreach (var endpoint in await _controller.ListEndpointsAsync(null, cancellationToken).ConfigureAwait(false))
        {
            Set(endpoint);
        }
    }

    /// <summary>Starts the resolver inside <paramref name="sandbox"/>; forwards other names to <paramref name="upstream"/>.</summary>
    public void Start(string containerId, SandboxInfo sandbox, IReadOnlyList<string> upstream)
    {
        Stop(containerId);
        var ns = NetworkNamespace.Open(sandbox.Key);
        try
        {
            var servers = upstream.Select(s => new IPEndPoint(IPAddress.Parse(s), DnsPort)).ToList();
            var server = SandboxDnsServer.Start(
                ns,
                new EmbeddedResolverOptions { SandboxId = sandbox.Id, UpstreamServers = servers, ForwardExternal = servers.Count > 0 },
                _names,
                loggers: _loggers,
                timeProvider: _time,
                udpPort: DnsPort,
                tcpPort: DnsPort);
            _servers[containerId] = (server, ns);
        }
        catch
        {
            ns.Dispose();
            throw;
        }
    }

    public void Stop(string containerId)
    {
        if (_servers.TryRemove(containerId, out var entry))
        {
            entry.Server.DisposeAsync().AsTask().GetAwaiter().GetResult();
            entry.Namespace.Dispose();
        }
    }

    public void Dispose()
    {
        _subscription?.Dispose();
        foreach (var id in _servers.Keys)
        {
            Stop(id);
        }
    }

    private void OnEndpointEvent(EndpointEvent change)
    {
        if (change.Kind == EndpointEventKind.Left)
        {
            _names.Remove(change.Endpoint.NetworkId, change.Endpoint.Id);
        }
        else
        {
            Set(change.Endpoint);
        }
    }

    private void Set(EndpointInfo endpoint)
    {
        var addresses = new List<IPAddress>();
        if (endpoint.IPv4Address is { } v4)
        {
            addresses.Add(v4.Address);
        }
        if (endpoint.IPv6Address is { } v6)
        {
            addresses.Add(v6.Address);
        }
        _names.Set(new DnsNameEntry(endpoint.NetworkId, endpoint.Id, endpoint.SandboxId, endpoint.DnsNames, addresses));
    }
}
