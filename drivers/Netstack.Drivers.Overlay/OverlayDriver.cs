using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Netstack.Core;
using Netstack.Core.Drivers;
using Netstack.Linux;

namespace Netstack.Drivers.Overlay;

/// <summary>
/// The kernel datapath of Docker's overlay driver on Netstack's kernel layer. A network is only
/// validated and remembered at creation; its namespace (<c>ov-&lt;vni&gt;-&lt;id[:10]&gt;</c> with
/// <c>br0</c> and a VXLAN device) is made when the first local endpoint joins and removed when the
/// last one leaves, as Docker's driver does, so a node carries only the networks it uses. While the
/// namespace exists the driver publishes its joined endpoints in the network's
/// <see cref="PeerTable"/> and programs every remote entry as a permanent neighbour (IP -&gt; MAC)
/// and FDB entry (MAC -&gt; VTEP) on the VXLAN device. Egress to the outside (Docker's
/// <c>docker_gwbridge</c>) is not this driver's: a join returns no gateway.
/// Methods are split by concern: networks, endpoints, reconcile.
/// </summary>
public sealed partial class OverlayDriver : INetworkDriver, INetworkPeers, IDisposable
{
    public const string DriverType = "overlay";

    /// <summary>The network-scoped table of endpoints, as libnetwork names it.</summary>
    public const string PeerTable = "overlay_peer_table";

    private readonly HostNetwork _host;
    private readonly IDriverTables _tables;
    private readonly ILogger _logger;
    private readonly IPAddress _advertise;
    private readonly ushort _port;
    private readonly string _directory;
    // Every operation is serialised: joins and leaves make and remove namespaces, which must not race.
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly ConcurrentDictionary<string, OverlayNetwork> _networks = new(StringComparer.Ordinal);

    public OverlayDriver(OverlayDriverOptions options, IDriverTables tables, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(tables);
        if (options.AdvertiseAddress is not { AddressFamily: AddressFamily.InterNetwork } advertise
            || advertise.Equals(IPAddress.Any) || advertise.Equals(IPAddress.Broadcast))
        {
            throw new InvalidParameterException("advertise address", options.AdvertiseAddress?.ToString(), "the overlay driver needs this node's IPv4 unicast address as its VXLAN tunnel endpoint");
        }
        if (options.VxlanPort == 0)
        {
            throw new InvalidParameterException("VXLAN dstport", "0", "must be in 1..65535");
        }
        if (string.IsNullOrEmpty(options.NamespaceDirectory))
        {
            throw new InvalidParameterException("namespace directory", options.NamespaceDirectory, "it is empty");
        }
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<OverlayDriver>();
        _tables = tables;
        _advertise = advertise;
        _port = options.VxlanPort;
        _directory = options.NamespaceDirectory;
        _host = HostNetwork.Open(options.HostNamespacePath);
        try
        {
            UnderlayMtu = options.UnderlayMtu ?? ReadUnderlayMtu(_host, advertise);
        }
        catch
        {
            _host.Dispose();
            throw;
        }
        // The smallest underlay that still carries a minimal IPv4 packet (68, RFC 791) in VXLAN.
        if (UnderlayMtu < 68 + OverlayOptionParser.VxlanOverhead)
        {
            _host.Dispose();
            throw new InvalidParameterException("underlay MTU", UnderlayMtu.ToString(System.Globalization.CultureInfo.InvariantCulture), $"must be at least {68 + OverlayOptionParser.VxlanOverhead} to carry VXLAN");
        }
    }

    public string Type => DriverType;

    public DriverCapabilities Capabilities { get; } = new() { DataScope = NetworkScope.Global, ConnectivityScope = NetworkScope.Global, NeedsVxlanId = true };

    /// <summary>MTU of the underlay; networks default to this less 50 bytes of VXLAN encapsulation.</summary>
    public int UnderlayMtu { get; }

    /// <summary>
    /// The nodes taking part in <paramref name="networkId"/>: this node while it has a joined
    /// endpoint there, and every node with a live entry in the peer table. Unknown network: empty.
    /// </summary>
    public IReadOnlyList<OverlayPeer> Peers(string networkId) =>
        _networks.TryGetValue(networkId, out var network) ? network.Peers() : [];

    public IReadOnlyList<(string Node, string Address)> GetPeers(string networkId) =>
        Peers(networkId).Select(p => (p.Node, p.Address.ToString())).ToList();

    public void Dispose()
    {
        // The kernel state stays (containers keep their connectivity across a daemon restart);
        // only this process's watches, listeners and handles go.
        foreach (var network in _networks.Values)
        {
            network.Detach()?.Dispose();
        }
        _host.Dispose();
        _lock.Dispose();
    }

    private static int ReadUnderlayMtu(HostNetwork host, IPAddress advertise)
    {
        var address = host.Netlink.AddrList(family: AddressFamily.InterNetwork).FirstOrDefault(a => a.Address.Address.Equals(advertise));
        return address is null ? OverlayDriverOptions.DefaultUnderlayMtu : host.Netlink.LinkGet(address.LinkIndex).Mtu;
    }

    private OverlayNetwork RequireNetwork(string networkId) =>
        _networks.TryGetValue(networkId, out var network) ? network : throw new NotFoundException("network", networkId, "the overlay driver does not know it");

    private async Task<IDisposable> LockAsync(CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Releaser(_lock);
    }

    private sealed class Releaser(SemaphoreSlim semaphore) : IDisposable
    {
        public void Dispose() => semaphore.Release();
    }
}
