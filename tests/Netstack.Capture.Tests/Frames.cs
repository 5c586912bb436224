using System.Buffers.Binary;
using System.Net;

namespace Netstack.Capture.Tests;

/// <summary>
/// Builds frames byte by byte from the RFCs' layouts, independently of the decoder and of
/// PacketDotNet, so a test decodes what a kernel would have put on the wire. Checksums are left
/// zero: the decoder does not check them (neither does the kernel for a captured frame).
/// </summary>
internal static class Frames
{
    public static readonly byte[] MacA = [0x02, 0x42, 0x0a, 0x14, 0x00, 0x02];
    public static readonly byte[] MacB = [0x02, 0x42, 0x0a, 0x14, 0x00, 0x03];

    public static byte[] Ethernet(ushort type, byte[] payload, byte[]? src = null, byte[]? dst = null)
    {
        var frame = new byte[14 + payload.Length];
        (dst ?? MacB).CopyTo(frame, 0);
        (src ?? MacA).CopyTo(frame, 6);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), type);
        payload.CopyTo(frame, 14);
        return frame;
    }

    public static byte[] Vlan(ushort vlanId, ushort innerType, byte[] payload)
    {
        var tagged = new byte[4 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(tagged, vlanId);
        BinaryPrimitives.WriteUInt16BigEndian(tagged.AsSpan(2), innerType);
        payload.CopyTo(tagged, 4);
        return Ethernet(0x8100, tagged);
    }

    public static byte[] ArpRequest(IPAddress sender, IPAddress target)
    {
        var arp = new byte[28];
        BinaryPrimitives.WriteUInt16BigEndian(arp, 1);
        BinaryPrimitives.WriteUInt16BigEndian(arp.AsSpan(2), 0x0800);
        arp[4] = 6;
        arp[5] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(arp.AsSpan(6), 1);
        MacA.CopyTo(arp, 8);
        sender.GetAddressBytes().CopyTo(arp, 14);
        target.GetAddressBytes().CopyTo(arp, 24);
        return Ethernet(0x0806, arp, dst: [0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    }

    public static byte[] IPv4(IPAddress src, IPAddress dst, byte protocol, byte[] payload, ushort id = 0x1234, byte ttl = 64)
    {
        var ip = new byte[20 + payload.Length];
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(2), (ushort)ip.Length);
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(4), id);
        ip[8] = ttl;
        ip[9] = protocol;
        src.GetAddressBytes().CopyTo(ip, 12);
        dst.GetAddressBytes().CopyTo(ip, 16);
        payload.CopyTo(ip, 20);
        return ip;
    }

    public static byte[] IPv6(IPAddress src, IPAddress dst, byte next, byte[] payload, byte hopLimit = 64)
    {
        var ip = new byte[40 + payload.Length];
        ip[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(4), (ushort)payload.Length);
        ip[6] = next;
        ip[7] = hopLimit;
        src.GetAddressBytes().CopyTo(ip, 8);
        dst.GetAddressBytes().CopyTo(ip, 24);
        payload.CopyTo(ip, 40);
        return ip;
    }

    public static byte[] IcmpEcho(bool request, ushort id, ushort seq, int dataLength = 56, bool v6 = false)
    {
        var icmp = new byte[8 + dataLength];
        icmp[0] = (byte)(v6 ? (request ? 128 : 129) : (request ? 8 : 0));
        BinaryPrimitives.WriteUInt16BigEndian(icmp.AsSpan(4), id);
        BinaryPrimitives.WriteUInt16BigEndian(icmp.AsSpan(6), seq);
        return icmp;
    }

    public static byte[] Udp(ushort src, ushort dst, byte[] payload)
    {
        var udp = new byte[8 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(udp, src);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(2), dst);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(4), (ushort)udp.Length);
        payload.CopyTo(udp, 8);
        return udp;
    }

    /// <summary>A TCP header without options; <paramref name="flags"/> as in the header's low 9 bits (SYN 0x002, ACK 0x010).</summary>
    public static byte[] Tcp(ushort src, ushort dst, uint seq, uint ack, ushort flags, ushort window = 64240, int dataLength = 0)
    {
        var tcp = new byte[20 + dataLength];
        BinaryPrimitives.WriteUInt16BigEndian(tcp, src);
        BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(2), dst);
        BinaryPrimitives.WriteUInt32BigEndian(tcp.AsSpan(4), seq);
        BinaryPrimitives.WriteUInt32BigEndian(tcp.AsSpan(8), ack);
        BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(12), (ushort)((5 << 12) | flags));
        BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(14), window);
        return tcp;
    }

    /// <summary>A DNS query for one A record (RFC 1035 4.1), or its answer with <paramref name="answer"/>.</summary>
    public static byte[] Dns(ushort id, string name, IPAddress? answer = null)
    {
        var labels = new List<byte>();
        foreach (var label in name.Split('.'))
        {
            labels.Add((byte)label.Length);
            labels.AddRange(System.Text.Encoding.ASCII.GetBytes(label));
        }
        labels.Add(0);
        var message = new List<byte>();
        var header = new byte[12];
        BinaryPrimitives.WriteUInt16BigEndian(header, id);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(2), answer is null ? (ushort)0x0100 : (ushort)0x8180);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(4), 1);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(6), answer is null ? (ushort)0 : (ushort)1);
        message.AddRange(header);
        message.AddRange(labels);
        message.AddRange(new byte[] { 0, 1, 0, 1 });
        if (answer is not null)
        {
            // A pointer to the question's name (offset 12), type A, class IN, TTL 600, 4 bytes.
            message.AddRange(new byte[] { 0xc0, 12, 0, 1, 0, 1, 0, 0, 2, 0x58, 0, 4 });
            message.AddRange(answer.GetAddressBytes());
        }
        return [.. message];
    }

    public static byte[] Vxlan(uint vni, byte[] innerFrame, byte flags = 0x08)
    {
        var vxlan = new byte[8 + innerFrame.Length];
        vxlan[0] = flags;
        vxlan[4] = (byte)(vni >> 16);
        vxlan[5] = (byte)(vni >> 8);
        vxlan[6] = (byte)vni;
        innerFrame.CopyTo(vxlan, 8);
        return vxlan;
    }

    /// <summary>An MLDv2 report behind a hop-by-hop header with router alert (RFC 3810 5.2), as every IPv6 interface sends when it comes up.</summary>
    public static byte[] MldReport()
    {
        byte[] hopByHop = [58, 0, 0x05, 0x02, 0x00, 0x00, 0x01, 0x00];
        byte[] report = [143, 0, 0, 0, 0, 0, 0, 0];
        return Ethernet(0x86dd, IPv6(IPAddress.Parse("fe80::1"), IPAddress.Parse("ff02::16"), 0, [.. hopByHop, .. report], hopLimit: 1));
    }

    /// <summary>ICMP port unreachable (type 3 code 3) quoting the UDP datagram that caused it.</summary>
    public static byte[] PortUnreachable()
    {
        var original = IPv4(IPAddress.Parse("10.20.0.2"), IPAddress.Parse("10.20.0.3"), 17, Udp(40000, 5000, "hello"u8.ToArray()));
        var icmp = new byte[8 + original.Length];
        icmp[0] = 3;
        icmp[1] = 3;
        original.CopyTo(icmp, 8);
        return Ip4Frame("10.20.0.3", "10.20.0.2", 1, icmp);
    }

    public static byte[] Ip4Frame(string src, string dst, byte protocol, byte[] payload) =>
        Ethernet(0x0800, IPv4(IPAddress.Parse(src), IPAddress.Parse(dst), protocol, payload));

    /// <summary>An overlay ping as the underlay carries it: VTEP to VTEP on UDP 4789, an ICMP echo inside.</summary>
    public static byte[] OverlayPing(uint vni = 4096) =>
        Ip4Frame("192.168.50.1", "192.168.50.2", 17, Udp(40000, 4789, Vxlan(vni,
            Ip4Frame("10.93.0.2", "10.93.0.3", 1, IcmpEcho(true, 7, 1)))));
}
