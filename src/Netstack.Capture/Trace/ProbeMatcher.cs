using System.Buffers.Binary;
using System.Net;

namespace Netstack.Capture.Trace;

/// <summary>What a frame is to a trace: the probe going out, its answer coming back, the address
/// resolution in front of it, or nothing of ours.</summary>
public enum ProbeFrame
{
    Other,
    Request,
    Reply,
    ArpRequest,
    ArpReply,
}

/// <summary>
/// The probe of one trace (an ICMP echo with an identifier of its own, or a TCP SYN from a known
/// port) and how to recognise it in a frame seen anywhere on the path: on a sandbox interface or a
/// bridge (Ethernet, maybe 802.1Q), on a VXLAN device (the inner frame), or on the underlay (outer
/// Ethernet + IPv4 + UDP to the VXLAN port + VXLAN header, then the inner frame). Pure: no
/// capture, so it is tested with frames built in memory.
/// </summary>
public sealed class ProbeMatcher
{
    private const int EtherTypeIPv4 = 0x0800;
    private const int EtherTypeArp = 0x0806;
    private const int EtherTypeVlan = 0x8100;
    private const byte ProtocolIcmp = 1;
    private const byte ProtocolTcp = 6;
    private const byte ProtocolUdp = 17;
    private const int VxlanHeaderLength = 8;

    private readonly uint _source;
    private readonly uint _destination;
    private readonly uint? _arpTarget;

    /// <param name="source">The probing sandbox's address.</param>
    /// <param name="destination">Where the probe goes.</param>
    /// <param name="icmpId">The echo identifier (ICMP probes).</param>
    /// <param name="tcpSourcePort">The SYN's source port (TCP probes; null for ICMP).</param>
    /// <param name="tcpPort">The SYN's destination port (TCP probes).</param>
    /// <param name="arpTarget">The next hop the source resolves (the destination on its subnet, or the gateway).</param>
    /// <param name="vxlanPort">UDP port of VXLAN on the underlay.</param>
    public ProbeMatcher(IPAddress source, IPAddress destination, ushort icmpId, ushort? tcpSourcePort, ushort tcpPort, IPAddress? arpTarget, ushort vxlanPort)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        _source = V4(source);
        _destination = V4(destination);
        _arpTarget = arpTarget is null ? null : V4(arpTarget);
        IcmpId = icmpId;
        TcpSourcePort = tcpSourcePort;
        TcpPort = tcpPort;
        VxlanPort = vxlanPort;
    }

    public ushort IcmpId { get; }

    public ushort? TcpSourcePort { get; }

    public ushort TcpPort { get; }

    public ushort VxlanPort { get; }

    private static uint V4(IPAddress address) => address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
        ? BinaryPrimitives.ReadUInt32BigEndian(address.GetAddressBytes())
        : throw new ArgumentException($"a trace probes IPv4 addresses, not {address}", nameof(address));

    /// <summary>What <paramref name="frame"/> (an Ethernet frame, as captured) is to this probe.</summary>
    public ProbeFrame Classify(ReadOnlySpan<byte> frame) => Ethernet(frame, 0);

    private ProbeFrame Ethernet(ReadOnlySpan<byte> frame, int depth)
    {
        if (frame.Length < 14)
        {
            return ProbeFrame.Other;
        }
        var offset = 12;
        var type = BinaryPrimitives.ReadUInt16BigEndian(frame[offset..]);
        if (type == EtherTypeVlan && frame.Length >= 18)
        {
            offset += 4;
            type = BinaryPrimitives.ReadUInt16BigEndian(frame[offset..]);
        }
        var payload = frame[(offset + 2)..];
        return type switch
        {
            EtherTypeIPv4 => IPv4(payload, depth),
            EtherTypeArp => Arp(payload),
            _ => ProbeFrame.Other,
        };
    }

    private ProbeFrame Arp(ReadOnlySpan<byte> arp)
    {
        // RFC 826 for IPv4 over Ethernet: 8 bytes of types and lengths, then sender MAC, sender IP, target MAC, target IP.
        if (_arpTarget is not { } target || arp.Length < 28 || arp[4] != 6 || arp[5] != 4)
        {
            return ProbeFrame.Other;
        }
        var operation = BinaryPrimitives.ReadUInt16BigEndian(arp[6..]);
        var sender = BinaryPrimitives.ReadUInt32BigEndian(arp[14..]);
        var targetIp = BinaryPrimitives.ReadUInt32BigEndian(arp[24..]);
        return operation switch
        {
            1 when sender == _source && targetIp == target => ProbeFrame.ArpRequest,
            2 when sender == target && targetIp == _source => ProbeFrame.ArpReply,
            _ => ProbeFrame.Other,
        };
    }

    private ProbeFrame IPv4(ReadOnlySpan<byte> ip, int depth)
    {
        if (ip.Length < 20 || ip[0] >> 4 != 4)
        {
            return ProbeFrame.Other;
        }
        var headerLength = (ip[0] & 0x0f) * 4;
        if (headerLength < 20 || ip.Length < headerLength)
        {
            return ProbeFrame.Other;
        }
        var protocol = ip[9];
        var from = BinaryPrimitives.ReadUInt32BigEndian(ip[12..]);
        var to = BinaryPrimitives.ReadUInt32BigEndian(ip[16..]);
        var l4 = ip[headerLength..];
        var outbound = from == _source && to == _destination;
        var inbound = from == _destination && to == _source;
        switch (protocol)
        {
            case ProtocolIcmp when TcpSourcePort is null && l4.Length >= 8 && (outbound || inbound):
                {
                    // Echo request 8, echo reply 0 (RFC 792); the identifier follows the checksum.
                    var id = BinaryPrimitives.ReadUInt16BigEndian(l4[4..]);
                    if (id != IcmpId)
                    {
                        return ProbeFrame.Other;
                    }
                    return (l4[0], outbound) switch
                    {
                        (8, true) => ProbeFrame.Request,
                        (0, false) => ProbeFrame.Reply,
                        _ => ProbeFrame.Other,
                    };
                }
            case ProtocolTcp when TcpSourcePort is { } sport && l4.Length >= 14 && (outbound || inbound):
                {
                    var srcPort = BinaryPrimitives.ReadUInt16BigEndian(l4);
                    var dstPort = BinaryPrimitives.ReadUInt16BigEndian(l4[2..]);
                    var flags = l4[13];
                    const byte Syn = 0x02, Rst = 0x04, Ack = 0x10;
                    if (outbound && srcPort == sport && dstPort == TcpPort && (flags & Syn) != 0 && (flags & Ack) == 0)
                    {
                        return ProbeFrame.Request;
                    }
                    // The answer to a SYN is a SYN-ACK (open) or a RST (closed): either is a reply.
                    if (inbound && srcPort == TcpPort && dstPort == sport && ((flags & (Syn | Ack)) == (Syn | Ack) || (flags & Rst) != 0))
                    {
                        return ProbeFrame.Reply;
                    }
                    return ProbeFrame.Other;
                }
            case ProtocolUdp when depth == 0 && l4.Length >= 8 + VxlanHeaderLength + 14
                && BinaryPrimitives.ReadUInt16BigEndian(l4[2..]) == VxlanPort:
                // VXLAN (RFC 7348): UDP, 8 bytes of flags and VNI, then the inner Ethernet frame.
                return Ethernet(l4[(8 + VxlanHeaderLength)..], depth + 1);
            default:
                return ProbeFrame.Other;
        }
    }
}
