using System.Net;
using Netstack.Linux.Netlink.Wire;

namespace Netstack.Linux;

/// <summary>
/// Requests queued on a <see cref="NetlinkHandle"/> and sent together: many messages per send, the
/// acks read afterwards. This is how a thousand veth pairs are made faster than <c>ip -batch</c>.
/// Every request still gets its own ack; the kernel runs them in order and goes on after a failure,
/// and <see cref="Execute"/> reports every failure. Namespaces named in queued specs must stay open
/// until <see cref="Execute"/> returns (their fds are in the messages). A batch is used by one thread;
/// its <see cref="Execute"/> holds the handle's lock like any other request.
/// </summary>
public sealed class NetlinkBatch
{
    // Acks of one chunk wait in the socket's receive buffer together; 64 KiB of requests (some
    // hundreds of messages) keeps them far below its size.
    private const int DefaultChunkBytes = 64 * 1024;
    private const int LargestMessage = 4096;

    private readonly int _chunkBytes;

    private readonly NetlinkHandle _handle;
    private readonly List<(byte[] Buffer, int Length)> _chunks = [];
    private readonly Dictionary<uint, string> _operations = [];
    private readonly Dictionary<string, int> _indexCache = new(StringComparer.Ordinal);
    private readonly List<(NetworkNamespace? Namespace, string Name)> _peersToBringUp = [];
    private byte[] _current;
    private int _used;

    internal NetlinkBatch(NetlinkHandle handle, int chunkBytes = DefaultChunkBytes)
    {
        if (chunkBytes < 2 * LargestMessage)
        {
            throw new ArgumentOutOfRangeException(nameof(chunkBytes), chunkBytes, $"batch chunks must hold at least {2 * LargestMessage} bytes");
        }
        _handle = handle;
        _chunkBytes = chunkBytes;
        _current = new byte[chunkBytes];
    }

    /// <summary>Requests queued so far.</summary>
    public int Count => _operations.Count;

    /// <summary>Sends of at most this many bytes (several requests each) are made.</summary>
    internal int ChunkBytes => _chunkBytes;

    /// <summary>Queues <see cref="NetlinkHandle.LinkAdd"/>. Master and parent names are resolved now.</summary>
    public NetlinkBatch LinkAdd(LinkSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var operation = $"link add {spec.Name}";
        var refs = new LinkReferences(
            spec.Master is { } m ? Resolve(m, operation, "master") : 0,
            spec switch
            {
                MacvlanSpec macvlan => Resolve(macvlan.Parent, operation, "parent"),
                VlanSpec vlan => Resolve(vlan.Parent, operation, "parent"),
                VxlanSpec { Underlay: { } underlay } => Resolve(underlay, operation, "underlay device"),
                _ => 0,
            },
            spec.Namespace?.DescriptorValue,
            (spec as VethSpec)?.PeerNamespace?.DescriptorValue);
        if (spec is VethSpec { PeerUp: true } veth)
        {
            _peersToBringUp.Add((veth.PeerNamespace, veth.PeerName));
        }
        return Add(operation, (ref NetlinkWriter w, uint seq) => LinkCodec.NewLink(ref w, seq, spec, refs));
    }

    /// <summary>Queues <see cref="NetlinkHandle.LinkDelete"/>.</summary>
    public NetlinkBatch LinkDelete(LinkRef link) =>
        Add($"link del {link}", (ref NetlinkWriter w, uint seq) => LinkCodec.DelLink(ref w, seq, link));

    /// <summary>Queues <see cref="NetlinkHandle.LinkSetUp"/>.</summary>
    public NetlinkBatch LinkSetUp(LinkRef link) =>
        Add($"link set {link} up", (ref NetlinkWriter w, uint seq) =>
        {
            LinkCodec.BeginSet(ref w, seq, link, Ifla.IFF_UP, Ifla.IFF_UP);
            w.EndMessage();
        });

    /// <summary>Queues <see cref="NetlinkHandle.LinkSetMaster"/>.</summary>
    public NetlinkBatch LinkSetMaster(LinkRef link, LinkRef master)
    {
        var operation = $"link set {link} master {master}";
        var index = Resolve(master, operation, "master");
        return Add(operation, (ref NetlinkWriter w, uint seq) =>
        {
            LinkCodec.BeginSet(ref w, seq, link);
            w.PutU32(Ifla.MASTER, (uint)index);
            w.EndMessage();
        });
    }

    /// <summary>Queues <see cref="NetlinkHandle.AddrAdd"/>; the link must exist now or be given by index.</summary>
    public NetlinkBatch AddrAdd(LinkRef link, InterfaceAddress address, bool noDad = false)
    {
        var operation = $"addr add {address} dev {link}";
        var index = Resolve(link, operation, "dev");
        return Add(operation, (ref NetlinkWriter w, uint seq) => AddressCodec.Write(ref w, seq, true, index, address, noDad));
    }

    /// <summary>Queues <see cref="NetlinkHandle.NeighReplace"/>.</summary>
    public NetlinkBatch NeighReplace(NeighbourSpec neighbour)
    {
        ArgumentNullException.ThrowIfNull(neighbour);
        var operation = $"neigh replace {neighbour.Address} dev {neighbour.Device}";
        var index = Resolve(neighbour.Device, operation, "dev");
        return Add(operation, (ref NetlinkWriter w, uint seq) =>
            NeighbourCodec.WriteNeighbour(ref w, seq, Nl.RTM_NEWNEIGH, Nl.NLM_F_CREATE | Nl.NLM_F_REPLACE, index, neighbour));
    }

    /// <summary>Queues <see cref="NetlinkHandle.FdbAppend"/>.</summary>
    public NetlinkBatch FdbAppend(LinkRef device, System.Net.NetworkInformation.PhysicalAddress mac, IPAddress? destination)
    {
        ArgumentNullException.ThrowIfNull(mac);
        var operation = $"fdb append {mac} dev {device}";
        var index = Resolve(device, operation, "dev");
        return Add(operation, (ref NetlinkWriter w, uint seq) =>
            NeighbourCodec.WriteFdb(ref w, seq, Nl.RTM_NEWNEIGH, Nl.NLM_F_CREATE | Nl.NLM_F_APPEND, index, mac, destination));
    }

    /// <summary>
    /// Sends everything queued and waits for every ack. Throws <see cref="NetlinkBatchException"/>
    /// listing each failed request; the others took effect.
    /// </summary>
    public void Execute()
    {
        if (_used > 0)
        {
            _chunks.Add((_current, _used));
            _current = new byte[_chunkBytes];
            _used = 0;
        }
        var failures = _handle.ExecuteBatch(_chunks, _operations);
        _chunks.Clear();
        _operations.Clear();

        // veth peers are brought up in a second pipelined pass, one per peer namespace, because the
        // kernel refuses IFF_UP on a peer in the creating request (ENOTCONN).
        var peers = _peersToBringUp.ToList();
        _peersToBringUp.Clear();
        foreach (var group in peers.GroupBy(p => p.Namespace))
        {
            var handle = group.Key?.SharedNetlink ?? _handle;
            var upBatch = new NetlinkBatch(handle);
            foreach (var (_, name) in group)
            {
                upBatch.LinkSetUp(name);
            }
            try
            {
                upBatch.Execute();
            }
            catch (NetlinkBatchException e)
            {
                failures.AddRange(e.Failures);
            }
        }
        if (failures.Count > 0)
        {
            throw new NetlinkBatchException(failures);
        }
    }

    private NetlinkBatch Add(string operation, NetlinkHandle.RequestBuilder build)
    {
        if (_chunkBytes - _used < LargestMessage)
        {
            _chunks.Add((_current, _used));
            _current = new byte[_chunkBytes];
            _used = 0;
        }
        var sequence = _handle.NextSequence();
        var writer = new NetlinkWriter(_current.AsSpan(_used));
        build(ref writer, sequence);
        _used += writer.Length;
        _operations.Add(sequence, operation);
        return this;
    }

    private int Resolve(LinkRef link, string operation, string field)
    {
        if (link.Index > 0)
        {
            return link.Index;
        }
        if (!_indexCache.TryGetValue(link.Name!, out var index))
        {
            index = _handle.ResolveIndex(link, operation, field);
            _indexCache[link.Name!] = index;
        }
        return index;
    }
}
