namespace Netstack.Api.Contracts.Capture;

/// <summary>One JSON record of a capture stream: an interface opened, a decoded packet, or the end.</summary>
public sealed class CaptureEvent
{
    public const string InterfaceType = "interface";
    public const string PacketType = "packet";
    public const string EndType = "end";

    public string Type { get; set; } = string.Empty;

    public CaptureInterfaceInfo? Interface { get; set; }

    public CapturePacket? Packet { get; set; }

    public CaptureEnd? End { get; set; }
}

/// <summary>An interface the capture listens on (sent before any packet).</summary>
public sealed class CaptureInterfaceInfo
{
    public int Index { get; set; }

    public string Name { get; set; } = string.Empty;

    /// <summary>What it is: <c>eth0 of web</c>, <c>bridge</c>, <c>br0</c>, <c>vxlan</c>, <c>underlay</c>.</summary>
    public string Role { get; set; } = string.Empty;

    /// <summary>The namespace file it is in; null for the daemon's own namespace.</summary>
    public string? Namespace { get; set; }

    /// <summary>The pcap link type (1 is Ethernet).</summary>
    public int LinkType { get; set; }

    public int Snaplen { get; set; }
}

/// <summary>A decoded packet.</summary>
public sealed class CapturePacket
{
    /// <summary>Index of the interface it was seen on.</summary>
    public int Interface { get; set; }

    public string InterfaceName { get; set; } = string.Empty;

    /// <summary>Microseconds since the Unix epoch, as libpcap stamped it.</summary>
    public long TimestampMicroseconds { get; set; }

    /// <summary>Length on the wire.</summary>
    public int Length { get; set; }

    /// <summary>Bytes captured (less than <see cref="Length"/> when the snapshot length cut the frame).</summary>
    public int CapturedLength { get; set; }

    /// <summary>The one-line summary, in tcpdump's style, naming netstack's objects.</summary>
    public string Summary { get; set; } = string.Empty;

    public bool Malformed { get; set; }

    public List<CaptureLayer> Layers { get; set; } = [];
}

/// <summary>One header of a packet; fields keyed by Wireshark's field names, netstack's names of things ending in <c>.name</c>.</summary>
public sealed class CaptureLayer
{
    public string Protocol { get; set; } = string.Empty;

    public Dictionary<string, string> Fields { get; set; } = [];

    public string? Malformed { get; set; }
}

/// <summary>Why the capture ended and the kernel's counters of each interface.</summary>
public sealed class CaptureEnd
{
    /// <summary><c>count</c>, <c>duration</c>, <c>interface-gone</c>, or <c>error</c>.</summary>
    public string Reason { get; set; } = string.Empty;

    public string? Error { get; set; }

    /// <summary>Packets sent to the client.</summary>
    public long Packets { get; set; }

    public List<CaptureCounters> Interfaces { get; set; } = [];
}

/// <summary>pcap_stats of one interface: received (passed the filter), dropped by the kernel (buffer full), dropped by the interface; and what the daemon read.</summary>
public sealed class CaptureCounters
{
    public int Index { get; set; }

    public string Name { get; set; } = string.Empty;

    public long Received { get; set; }

    public long Dropped { get; set; }

    public long InterfaceDropped { get; set; }

    public long Read { get; set; }
}
