using System.Net;
using Microsoft.Extensions.Logging;
using Netstack.Core;
using Netstack.Core.Drivers;
using Netstack.Linux;

namespace Netstack.Drivers.Overlay;

/// <summary>
/// One overlay network on this node: its settings and endpoints (guarded by the driver's lock), and,
/// while a local endpoint is joined, its <see cref="OverlayNamespace"/>, the watch on its peer table
/// and the listener for the VXLAN device's misses. Table events and misses arrive on background
/// threads; everything they touch (the remote peers and the datapath) is guarded by a gate of its own.
/// </summary>
internal sealed class OverlayNetwork
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, RemotePeer> _peers = new(StringComparer.Ordinal);
    private readonly ILogger _logger;
    private readonly string _nodeName;
    private readonly IPAddress _vtep;
    private OverlayNamespace? _datapath;
    private IDisposable? _watch;
    private NetlinkEventStream? _misses;
    private Task? _missLoop;

    public OverlayNetwork(OverlayNetworkConfig config, string nodeName, IPAddress vtep, ILogger logger)
    {
        Config = config;
        _nodeName = nodeName;
        _vtep = vtep;
        _logger = logger;
    }

    public OverlayNetworkConfig Config { get; }

    /// <summary>Endpoints created on this node (driver lock).</summary>
    public Dictionary<string, OverlayEndpoint> Endpoints { get; } = new(StringComparer.Ordinal);

    /// <summary>Ids of the endpoints joined to a sandbox on this node (driver lock).</summary>
    public HashSet<string> Joined { get; } = new(StringComparer.Ordinal);

    public OverlayNamespace? Datapath
    {
        get
        {
            lock (_gate)
            {
                return _datapath;
            }
        }
    }

    /// <summary>
    /// Starts using <paramref name="datapath"/>: listens for its misses, then watches the peer table,
    /// whose existing entries arrive as creates and are programmed.
    /// </summary>
    public void Attach(OverlayNamespace datapath, IDriverTables tables)
    {
        lock (_gate)
        {
            _datapath = datapath;
        }
        _misses = NetlinkEventStream.Open(NetlinkEventGroups.Neighbour, datapath.Namespace);
        var misses = _misses;
        _missLoop = Task.Run(() => ReadMissesAsync(misses, datapath));
        // Not under the gate: a table may deliver the existing entries on this thread.
        _watch = tables.Watch(Config.NetworkId, OverlayDriver.PeerTable, e => OnTableEvent(datapath, e));
    }

    /// <summary>Stops the watch and the miss listener and hands back the datapath (null if none) for the caller to destroy.</summary>
    public OverlayNamespace? Detach()
    {
        Interlocked.Exchange(ref _watch, null)?.Dispose();
        var misses = Interlocked.Exchange(ref _misses, null);
        misses?.Dispose();
        // Disposing the stream completes its channel, so the loop ends.
        Interlocked.Exchange(ref _missLoop, null)?.GetAwaiter().GetResult();
        lock (_gate)
        {
            var datapath = _datapath;
            _datapath = null;
            _peers.Clear();
            return datapath;
        }
    }

    /// <summary>This node (while it has a joined endpoint) and every node with a live entry, with their VTEPs.</summary>
    public IReadOnlyList<OverlayPeer> Peers()
    {
        lock (_gate)
        {
            var peers = _peers.Values.Where(p => p.Live).Select(p => new OverlayPeer(p.Owner, p.Record.Vtep));
            if (_datapath is not null)
            {
                peers = peers.Append(new OverlayPeer(_nodeName, _vtep));
            }
            return peers.Distinct().OrderBy(p => p.Node, StringComparer.Ordinal).ThenBy(p => p.Address.ToString(), StringComparer.Ordinal).ToList();
        }
    }

    internal void OnTableEvent(OverlayNamespace datapath, DriverTableEvent e)
    {
        if (e.Owner == _nodeName)
        {
            // Our own endpoints are on br0 already; they need no tunnel entries.
            return;
        }
        lock (_gate)
        {
            if (!ReferenceEquals(_datapath, datapath))
            {
                return;
            }
            switch (e.Kind)
            {
                case DriverTableEventKind.Create or DriverTableEventKind.Update:
                    Upsert(datapath, e);
                    break;
                case DriverTableEventKind.Delete:
                    Remove(datapath, e);
                    break;
            }
        }
    }

    private void Upsert(OverlayNamespace datapath, DriverTableEvent e)
    {
        if (!PeerRecordCodec.TryDecode(e.Value.Span, out var record, out var error))
        {
            Log.PeerEntrySkipped(_logger, Config.NetworkId, e.Key, e.Owner, error);
            return;
        }
        if (record.Vtep.Equals(_vtep))
        {
            // Docker ignores entries naming its own tunnel address: a tunnel to ourselves would loop.
            Log.PeerEntrySkipped(_logger, Config.NetworkId, e.Key, e.Owner, $"its VTEP {record.Vtep} is this node's");
            return;
        }
        if (_peers.TryGetValue(e.Key, out var peer))
        {
            if (peer.Programmed && peer.Record != record)
            {
                Unprogram(datapath, peer);
            }
            peer.Record = record;
            peer.Live = true;
        }
        else
        {
            peer = new RemotePeer(e.Owner, record);
            _peers[e.Key] = peer;
        }
        Program(datapath, peer, e.Suspended ? "returned" : "added");
    }

    private void Remove(OverlayNamespace datapath, DriverTableEvent e)
    {
        if (!_peers.TryGetValue(e.Key, out var peer))
        {
            return;
        }
        if (peer.Programmed)
        {
            Unprogram(datapath, peer);
        }
        if (e.Suspended)
        {
            // The owner failed: the entry may come back with it; keep it, out of the kernel.
            peer.Live = false;
            Log.PeerSuspended(_logger, Config.NetworkId, peer.Record.Address.ToString(), peer.Owner);
        }
        else
        {
            _peers.Remove(e.Key);
            Log.PeerRemoved(_logger, Config.NetworkId, peer.Record.Address.ToString(), peer.Owner);
        }
        // Another live entry with the same address or MAC (an endpoint that moved) lost its kernel
        // entries with this one: put it back.
        foreach (var other in _peers.Values.Where(p => p.Live && p != peer
            && (p.Record.Address.Equals(peer.Record.Address) || p.Record.MacAddress.Equals(peer.Record.MacAddress))))
        {
            Program(datapath, other, "restored");
        }
    }

    private void Program(OverlayNamespace datapath, RemotePeer peer, string why)
    {
        try
        {
            datapath.ProgramPeer(peer.Record);
            peer.Programmed = true;
            Log.PeerProgrammed(_logger, Config.NetworkId, peer.Record.Address.ToString(), peer.Record.MacAddress.ToString(), peer.Record.Vtep.ToString(), peer.Owner, why);
        }
        catch (Exception ex) when (ex is NetlinkException or ObjectDisposedException)
        {
            peer.Programmed = false;
            Log.PeerProgramFailed(_logger, Config.NetworkId, peer.Record.Address.ToString(), ex.Message);
            return;
        }
        try
        {
            datapath.AnnouncePeer(peer.Record);
        }
        catch (Exception ex) when (ex is NetlinkException or ObjectDisposedException)
        {
            // The entry is programmed: a sandbox still resolves it, at its next ARP retransmit.
            Log.PeerAnnounceFailed(_logger, Config.NetworkId, peer.Record.Address.ToString(), ex.Message);
        }
    }

    private void Unprogram(OverlayNamespace datapath, RemotePeer peer)
    {
        try
        {
            datapath.UnprogramPeer(peer.Record);
        }
        catch (Exception ex) when (ex is NetstackException or NetlinkException or ObjectDisposedException)
        {
            Log.PeerProgramFailed(_logger, Config.NetworkId, peer.Record.Address.ToString(), ex.Message);
        }
        peer.Programmed = false;
    }

    private async Task ReadMissesAsync(NetlinkEventStream stream, OverlayNamespace datapath)
    {
        try
        {
            await foreach (var e in stream.ReadAllAsync().ConfigureAwait(false))
            {
                if (e is NeighbourEvent { Kind: NeighbourEventKind.Miss } miss && miss.Entry.LinkIndex == datapath.VxlanIndex)
                {
                    OnMiss(datapath, miss);
                }
            }
        }
#pragma warning disable CA1031 // a listener that fails is logged; peers are still programmed from the table
        catch (Exception e)
#pragma warning restore CA1031
        {
            Log.MissListenerFailed(_logger, Config.NetworkId, e.Message);
        }
    }

    /// <summary>
    /// An L3 miss (no neighbour entry for an IP) or L2 miss (no FDB entry for a MAC) on the VXLAN
    /// device: answer it from the table if the entry is known (re-programming it), else it is
    /// programmed the moment its entry arrives.
    /// </summary>
    internal void OnMiss(OverlayNamespace datapath, NeighbourEvent miss)
    {
        lock (_gate)
        {
            if (!ReferenceEquals(_datapath, datapath))
            {
                return;
            }
            var peer = miss.IsL3Miss
                ? _peers.Values.FirstOrDefault(p => p.Live && p.Record.Address.Equals(miss.Entry.Address))
                : _peers.Values.FirstOrDefault(p => p.Live && p.Record.MacAddress.Equals(miss.Entry.MacAddress));
            var what = miss.IsL3Miss ? miss.Entry.Address?.ToString() : miss.Entry.MacAddress?.ToString();
            if (peer is null)
            {
                Log.MissUnknown(_logger, Config.NetworkId, what ?? "?");
                return;
            }
            Program(datapath, peer, "miss");
        }
    }
}
