namespace Netstack.Capture.Decoding;

/// <summary>
/// One protocol header as decoded. <see cref="Fields"/> are keyed by Wireshark's display-filter
/// names (<c>ip.src</c>, <c>tcp.flags</c>, <c>vxlan.vni</c>), so a script that knows tshark knows ours
/// and the tests compare the two field by field; netstack's own names of things end in <c>.name</c>.
/// </summary>
public sealed class DecodedLayer(string protocol)
{
    /// <summary><c>eth</c>, <c>vlan</c>, <c>arp</c>, <c>ip</c>, <c>ipv6</c>, <c>icmp</c>, <c>icmpv6</c>, <c>udp</c>, <c>tcp</c>, <c>dns</c>, <c>vxlan</c>, or <c>data</c>.</summary>
    public string Protocol { get; } = protocol;

    public Dictionary<string, string> Fields { get; } = new(StringComparer.Ordinal);

    /// <summary>Why the header could not be read (truncated, a length that does not fit); null when it was.</summary>
    public string? Malformed { get; set; }
}

/// <summary>A frame as the decoder saw it: the one-line summary (tcpdump's style) and its layers, outermost first.</summary>
public sealed class DecodedFrame
{
    public required string Summary { get; init; }

    public required IReadOnlyList<DecodedLayer> Layers { get; init; }

    /// <summary>True when any layer is malformed.</summary>
    public bool Malformed => Layers.Any(l => l.Malformed is not null);
}
