using System.Net;
using Netstack.Capture.Decoding;
using Xunit;

namespace Netstack.Capture.Tests;

public sealed class FrameDecoderTests
{
    private static readonly CaptureNames Names = new CaptureNames { VxlanPort = 4789 }
        .Address(IPAddress.Parse("10.93.0.2"), "web")
        .Address(IPAddress.Parse("10.93.0.3"), "db")
        .Address(IPAddress.Parse("10.20.0.2"), "sa")
        .Mac("02:42:0a:14:00:02", "sa")
        .Vni(4096, "ov1")
        .Node(IPAddress.Parse("192.168.50.1"), "a")
        .Node(IPAddress.Parse("192.168.50.2"), "b");

    private static DecodedFrame Decode(byte[] frame, CaptureNames? names = null) => FrameDecoder.Decode(frame, frame.Length, frame.Length, names ?? Names);

    private static string Field(DecodedFrame frame, string protocol, string field, int occurrence = 0) =>
        frame.Layers.Where(l => l.Protocol == protocol).ElementAt(occurrence).Fields[field];

    [Fact]
    public void IcmpEcho_FieldsAndTcpdumpLikeSummary_NamesTheSender()
    {
        var frame = Decode(Frames.Ip4Frame("10.20.0.2", "10.20.0.9", 1, Frames.IcmpEcho(true, 77, 3)));

        Assert.False(frame.Malformed);
        Assert.Equal(["eth", "ip", "icmp"], frame.Layers.Select(l => l.Protocol));
        Assert.Equal("02:42:0a:14:00:02", Field(frame, "eth", "eth.src"));
        Assert.Equal("sa", Field(frame, "eth", "eth.src.name"));
        Assert.Equal("0x0800", Field(frame, "eth", "eth.type"));
        Assert.Equal("10.20.0.2", Field(frame, "ip", "ip.src"));
        Assert.Equal("1", Field(frame, "ip", "ip.proto"));
        Assert.Equal("8", Field(frame, "icmp", "icmp.type"));
        Assert.Equal("77", Field(frame, "icmp", "icmp.ident"));
        Assert.Equal("3", Field(frame, "icmp", "icmp.seq"));
        Assert.Equal("IP 10.20.0.2 (sa) > 10.20.0.9: ICMP echo request, id 77, seq 3, length 64", frame.Summary);
    }

    [Fact]
    public void Arp_RequestWhoHasTell()
    {
        var frame = Decode(Frames.ArpRequest(IPAddress.Parse("10.20.0.2"), IPAddress.Parse("10.20.0.1")));

        Assert.False(frame.Malformed);
        Assert.Equal("1", Field(frame, "arp", "arp.opcode"));
        Assert.Equal("10.20.0.1", Field(frame, "arp", "arp.dst.proto_ipv4"));
        Assert.Equal("ARP, Request who-has 10.20.0.1 tell 10.20.0.2 (sa), length 28", frame.Summary);
    }

    [Fact]
    public void Vlan_TagReadThenInnerIPv4()
    {
        var frame = Decode(Frames.Vlan(10, 0x0800, Frames.IPv4(IPAddress.Parse("10.1.0.1"), IPAddress.Parse("10.1.0.2"), 1, Frames.IcmpEcho(false, 1, 1))));

        Assert.False(frame.Malformed);
        Assert.Equal("10", Field(frame, "vlan", "vlan.id"));
        Assert.Equal("0x0800", Field(frame, "vlan", "vlan.etype"));
        Assert.StartsWith("vlan 10, p 0, IP 10.1.0.1 > 10.1.0.2: ICMP echo reply", frame.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Udp_PortsAndLength()
    {
        var frame = Decode(Frames.Ip4Frame("10.20.0.2", "10.20.0.3", 17, Frames.Udp(5000, 6000, "hello"u8.ToArray())));

        Assert.Equal("5000", Field(frame, "udp", "udp.srcport"));
        Assert.Equal("6000", Field(frame, "udp", "udp.dstport"));
        Assert.Equal("13", Field(frame, "udp", "udp.length"));
        Assert.EndsWith("10.20.0.2.5000 (sa) > 10.20.0.3.6000: UDP, length 5", frame.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Tcp_SynAck_FlagsSeqAck()
    {
        var frame = Decode(Frames.Ip4Frame("10.20.0.3", "10.20.0.2", 6, Frames.Tcp(80, 40000, 1000, 2001, 0x012)));

        Assert.Equal("0x012", Field(frame, "tcp", "tcp.flags"));
        Assert.Equal("1000", Field(frame, "tcp", "tcp.seq_raw"));
        Assert.Equal("2001", Field(frame, "tcp", "tcp.ack_raw"));
        Assert.EndsWith("10.20.0.3.80 > 10.20.0.2.40000 (sa): Flags [S.], seq 1000, ack 2001, win 64240, length 0", frame.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Dns_QueryAndAnswer()
    {
        var query = Decode(Frames.Ip4Frame("10.20.0.2", "127.0.0.11", 17, Frames.Udp(33000, 53, Frames.Dns(0xbeef, "web"))));
        var answer = Decode(Frames.Ip4Frame("127.0.0.11", "10.20.0.2", 17, Frames.Udp(53, 33000, Frames.Dns(0xbeef, "web", IPAddress.Parse("10.93.0.2")))));

        Assert.Equal("web", Field(query, "dns", "dns.qry.name"));
        Assert.Equal("1", Field(query, "dns", "dns.qry.type"));
        Assert.Equal("0", Field(query, "dns", "dns.flags.response"));
        Assert.EndsWith("DNS query 0xbeef A? web", query.Summary, StringComparison.Ordinal);
        Assert.Equal("1", Field(answer, "dns", "dns.flags.response"));
        Assert.Equal("10.93.0.2", Field(answer, "dns", "dns.a"));
        Assert.EndsWith("DNS response 0xbeef NOERROR A? web A 10.93.0.2 (web)", answer.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void IPv6_IcmpV6Echo()
    {
        var frame = Decode(Frames.Ethernet(0x86dd, Frames.IPv6(IPAddress.Parse("fd00::2"), IPAddress.Parse("fd00::3"), 58, Frames.IcmpEcho(true, 9, 2, v6: true))));

        Assert.False(frame.Malformed);
        Assert.Equal("fd00::2", Field(frame, "ipv6", "ipv6.src"));
        Assert.Equal("128", Field(frame, "icmpv6", "icmpv6.type"));
        Assert.Equal("9", Field(frame, "icmpv6", "icmpv6.echo.identifier"));
        Assert.Equal("IP6 fd00::2 > fd00::3: ICMP6, echo request, id 9, seq 2, length 64", frame.Summary);
    }

    [Fact]
    public void IPv6_HopByHopWalked_MldReportBehindIt()
    {
        var frame = Decode(Frames.MldReport());

        Assert.False(frame.Malformed);
        Assert.Equal("143", Field(frame, "icmpv6", "icmpv6.type"));
        Assert.Equal("IP6 fe80::1 > ff02::16: ICMP6, multicast listener report v2, length 8", frame.Summary);
    }

    [Fact]
    public void IcmpUnreachable_QuotedDatagramDecoded()
    {
        var frame = Decode(Frames.PortUnreachable());

        Assert.Equal(["eth", "ip", "icmp", "ip", "udp"], frame.Layers.Select(l => l.Protocol));
        Assert.Equal("5000", Field(frame, "udp", "udp.dstport"));
        Assert.EndsWith("ICMP destination unreachable, code 3, length 41: IP 10.20.0.2.40000 (sa) > 10.20.0.3.5000: UDP, length 5", frame.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Vxlan_VniNamedAsNetwork_VtepsAsNodes_InnerFrameDecoded()
    {
        var frame = Decode(Frames.OverlayPing());

        Assert.False(frame.Malformed);
        Assert.Equal(["eth", "ip", "udp", "vxlan", "eth", "ip", "icmp"], frame.Layers.Select(l => l.Protocol));
        Assert.Equal("4096", Field(frame, "vxlan", "vxlan.vni"));
        Assert.Equal("ov1", Field(frame, "vxlan", "vxlan.vni.name"));
        Assert.Equal("10.93.0.2", Field(frame, "ip", "ip.src", 1));
        Assert.Equal("web", Field(frame, "ip", "ip.src.name", 1));
        Assert.Equal(
            "IP 192.168.50.1.40000 (node a) > 192.168.50.2.4789 (node b): VXLAN vni 4096 (ov1): IP 10.93.0.2 (web) > 10.93.0.3 (db): ICMP echo request, id 7, seq 1, length 64",
            frame.Summary);
    }

    [Fact]
    public void Vxlan_OnAnotherConfiguredPort_DecodedThere_NotOn4789()
    {
        var onPort = Frames.Ip4Frame("192.168.50.1", "192.168.50.2", 17, Frames.Udp(40000, 8472, Frames.Vxlan(5000, Frames.Ip4Frame("10.0.0.1", "10.0.0.2", 1, Frames.IcmpEcho(true, 1, 1)))));

        Assert.Contains("VXLAN vni 5000", Decode(onPort, new CaptureNames { VxlanPort = 8472 }).Summary, StringComparison.Ordinal);
        Assert.DoesNotContain("VXLAN", Decode(onPort, new CaptureNames { VxlanPort = 4789 }).Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Snapshot_CutInThePayload_IsNotMalformed_SaysCaptured()
    {
        var full = Frames.Ip4Frame("10.20.0.2", "10.20.0.3", 1, Frames.IcmpEcho(true, 1, 1, dataLength: 1000));
        var frame = FrameDecoder.Decode(full, 96, full.Length, Names);

        Assert.False(frame.Malformed);
        Assert.EndsWith($"[captured 96 of {full.Length} bytes]", frame.Summary, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(10, "eth", "truncated Ethernet header, 10 of 14 bytes")]
    [InlineData(14 + 12, "ip", "truncated IPv4 header, 12 of 20 bytes")]
    [InlineData(14 + 20 + 4, "icmp", "truncated ICMP header, 4 of 8 bytes")]
    public void Truncated_HeaderNamedWithHowMuchWasThere(int length, string protocol, string why)
    {
        var full = Frames.Ip4Frame("10.20.0.2", "10.20.0.3", 1, Frames.IcmpEcho(true, 1, 1));
        var frame = FrameDecoder.Decode(full[..length], length, length, Names);

        Assert.True(frame.Malformed);
        Assert.Equal(why, frame.Layers.Single(l => l.Malformed is not null).Malformed);
        Assert.Equal(protocol, frame.Layers[^1].Protocol);
        Assert.Contains($"[malformed {protocol}: {why}]", frame.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void WrongLengths_IpHeaderLengthBeyondFrame_UdpLengthShorterThanHeader_AreMalformed()
    {
        var ip = Frames.Ip4Frame("10.20.0.2", "10.20.0.3", 17, Frames.Udp(1, 2, [1, 2, 3]));
        ip[14] = 0x4f; // IHL 15: 60 bytes of header in a 45-byte packet
        Assert.Contains("header length 60", Decode(ip).Layers.Single(l => l.Protocol == "ip").Malformed, StringComparison.Ordinal);

        var udp = Frames.Ip4Frame("10.20.0.2", "10.20.0.3", 17, Frames.Udp(1, 2, [1, 2, 3]));
        udp[14 + 20 + 5] = 4; // UDP length 4 < 8
        Assert.Contains("length field 4", Decode(udp).Layers.Single(l => l.Protocol == "udp").Malformed, StringComparison.Ordinal);
    }

    [Fact]
    public void Vxlan_GarbageInside_ShownAsMalformedInnerFrame()
    {
        var garbage = new byte[] { 0xde, 0xad, 0xbe, 0xef, 0x01 };
        var frame = Decode(Frames.Ip4Frame("192.168.50.1", "192.168.50.2", 17, Frames.Udp(40000, 4789, Frames.Vxlan(4096, garbage))));

        Assert.True(frame.Malformed);
        Assert.Equal("vxlan", frame.Layers[^2].Protocol);
        Assert.Equal("truncated Ethernet header, 5 of 14 bytes", frame.Layers[^1].Malformed);
    }

    [Fact]
    public void Vxlan_NestedWithoutEnd_StopsAtTheDepthLimit()
    {
        var frame = Frames.Ip4Frame("10.0.0.9", "10.0.0.8", 1, Frames.IcmpEcho(true, 1, 1));
        for (var i = 0; i < 50; i++)
        {
            frame = Frames.Ip4Frame("192.168.50.1", "192.168.50.2", 17, Frames.Udp(1, 4789, Frames.Vxlan(4096, frame)));
        }

        var decoded = Decode(frame);

        Assert.True(decoded.Malformed);
        Assert.Contains("tunnels nested deeper than", decoded.Summary, StringComparison.Ordinal);
    }
}
