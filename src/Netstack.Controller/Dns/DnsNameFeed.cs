using System.Globalization;
using System.Net;
using Netstack.Core;
using Netstack.Dns.Names;

namespace Netstack.Controller;

/// <summary>
/// Keeps the embedded resolver's <see cref="DnsNameTable"/> in step with the controller: every
/// joined endpoint's DNS names (sandbox name, aliases, short container id) with its addresses, on
/// its network; removed on leave, replaced on rename. DNS names are case-insensitive (RFC 4343),
/// so they are stored lower-case.
/// </summary>
public sealed class DnsNameFeed : IDisposable
{
    private readonly INetworkController _controller;
    private readonly DnsNameTable _table;
    private readonly Func<EndpointInfo, bool> _serves;
    private readonly Lock _gate = new();
    private List<EndpointEvent>? _early = [];
    private IDisposable? _subscription;

    /// <param name="controller">Where endpoints come from.</param>
    /// <param name="table">The resolver's table.</param>
    /// <param name="serves">
    /// Which endpoints get names (all when null). Docker gives none on its default network, so a
    /// container that is also on a user-defined network cannot resolve its default-bridge neighbours.
    /// </param>
    public DnsNameFeed(INetworkController controller, DnsNameTable table, Func<EndpointInfo, bool>? serves = null)
    {
        _controller = controller ?? throw new ArgumentNullException(nameof(controller));
        _table = table ?? throw new ArgumentNullException(nameof(table));
        _serves = serves ?? (_ => true);
    }

    /// <summary>
    /// Subscribes, then loads every endpoint. Events that arrive while loading are held and applied
    /// after the load, so a leave during start-up is not undone by the older listing.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        _subscription = _controller.SubscribeEndpointEvents(OnEvent);
        var endpoints = await _controller.ListEndpointsAsync(null, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            foreach (var endpoint in endpoints)
            {
                TrySet(endpoint);
            }
            foreach (var e in _early!)
            {
                Apply(e);
            }
            _early = null;
        }
    }

    public void Dispose() => _subscription?.Dispose();

    private void OnEvent(EndpointEvent e)
    {
        lock (_gate)
        {
            if (_early is not null)
            {
                _early.Add(e);
                return;
            }
            Apply(e);
        }
    }

    private void Apply(EndpointEvent e)
    {
        if (e.Kind == EndpointEventKind.Left)
        {
            _table.Remove(e.Endpoint.NetworkId, e.Endpoint.Id);
        }
        else
        {
            TrySet(e.Endpoint);
        }
    }

    /// <summary>A name the table refuses (validated again there) loses DNS for that endpoint only.</summary>
    private void TrySet(EndpointInfo endpoint)
    {
        if (!_serves(endpoint))
        {
            return;
        }
        try
        {
            Set(endpoint);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            _table.Remove(endpoint.NetworkId, endpoint.Id);
        }
    }

    private void Set(EndpointInfo endpoint)
    {
        var addresses = new List<IPAddress>(2);
        if (endpoint.IPv4Address is { } v4)
        {
            addresses.Add(v4.Address);
        }
        if (endpoint.IPv6Address is { } v6)
        {
            addresses.Add(v6.Address);
        }
        var names = endpoint.DnsNames.Select(n => n.ToLower(CultureInfo.InvariantCulture)).Distinct(StringComparer.Ordinal).ToArray();
        _table.Set(new DnsNameEntry(endpoint.NetworkId, endpoint.Id, endpoint.SandboxId, names, addresses));
    }
}
