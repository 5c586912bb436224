using System.Net;

namespace Netstack.Capture.Decoding;

/// <summary>
/// What the decoder calls the things it sees: container (sandbox) names for endpoint addresses and
/// MACs, the network for a VNI, the node for a VTEP address. Built by the daemon from its view
/// when a capture starts; lookups of unknown things answer null.
/// </summary>
public sealed class CaptureNames
{
    public static readonly CaptureNames None = new();

    private readonly Dictionary<IPAddress, string> _addresses = [];
    private readonly Dictionary<string, string> _macs = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<uint, string> _vnis = [];
    private readonly Dictionary<IPAddress, string> _nodes = [];

    /// <summary>UDP port VXLAN is decoded on (the cluster's <c>--vxlan-port</c>).</summary>
    public ushort VxlanPort { get; init; } = 4789;

    /// <summary>The first name given to an address wins: endpoints are added before gateways.</summary>
    public CaptureNames Address(IPAddress address, string name)
    {
        _addresses.TryAdd(Normalize(address), name);
        return this;
    }

    public CaptureNames Mac(string mac, string name)
    {
        _macs.TryAdd(mac, name);
        return this;
    }

    public CaptureNames Vni(uint vni, string network)
    {
        _vnis.TryAdd(vni, network);
        return this;
    }

    public CaptureNames Node(IPAddress vtep, string node)
    {
        _nodes.TryAdd(Normalize(vtep), node);
        return this;
    }

    public string? OfAddress(IPAddress address)
    {
        var key = Normalize(address);
        return _addresses.TryGetValue(key, out var name) ? name
            : _nodes.TryGetValue(key, out var node) ? "node " + node
            : null;
    }

    public string? OfMac(string mac) => _macs.TryGetValue(mac, out var name) ? name : null;

    public string? OfVni(uint vni) => _vnis.TryGetValue(vni, out var name) ? name : null;

    public string? NodeOf(IPAddress vtep) => _nodes.TryGetValue(Normalize(vtep), out var node) ? node : null;

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
