using System.Net;
using Netstack.Capture.Trace;
using Xunit;

namespace Netstack.Capture.Tests;

/// <summary>The trace's probe is recognised wherever it is captured: plain, 802.1Q-tagged, inside VXLAN on the underlay; anything else is not.</summary>
public sealed class ProbeMatcherTests
{
    private static readonly IPAddress Src = IPAddress.Parse("10.20.0.2");
    private static readonly IPAddress Dst = IPAddress.Parse("10.20.0.3");

    private static ProbeMatcher Icmp(ushort id = 0x4242) => new(Src, Dst, id, null, 0, Dst, 4789);

    private static ProbeMatcher Tcp() => new(Src, Dst, 0, 40001, 8080, Dst, 4789);

    [Fact]
    public void Classify_IcmpEcho_RequestAndReplyOfOurIdOnly()
    {
        var m = Icmp();
        Assert.Equal(ProbeFrame.Request, m.Classify(Frames.Ip4Frame("10.20.0.2", "10.20.0.3", 1, Frames.IcmpEcho(true, 0x4242, 1))));
        Assert.Equal(ProbeFrame.Reply, m.Classify(Frames.Ip4Frame("10.20.0.3", "10.20.0.2", 1, Frames.IcmpEcho(false, 0x4242, 1))));
        // Someone else's ping, or ours answered by the wrong host, is not the probe.
        Assert.Equal(ProbeFrame.Other, m.Classify(Frames.Ip4Frame("10.20.0.2", "10.20.0.3", 1, Frames.IcmpEcho(true, 0x4343, 1))));
        Assert.Equal(ProbeFrame.Other, m.Classify(Frames.Ip4Frame("10.20.0.9", "10.20.0.2", 1, Frames.IcmpEcho(false, 0x4242, 1))));
        // A request going the wrong way is not a reply.
        Assert.Equal(ProbeFrame.Other, m.Classify(Frames.Ip4Frame("10.20.0.3", "10.20.0.2", 1, Frames.IcmpEcho(true, 0x4242, 1))));
    }

    [Fact]
    public void Classify_TaggedAndInsideVxlan_SameAnswer()
    {
        var m = Icmp();
        var request = Frames.IPv4(Src, Dst, 1, Frames.IcmpEcho(true, 0x4242, 1));
        Assert.Equal(ProbeFrame.Request, m.Classify(Frames.Vlan(20, 0x0800, request)));
        var underlay = Frames.Ip4Frame("192.168.50.1", "192.168.50.2", 17, Frames.Udp(40000, 4789, Frames.Vxlan(4096, Frames.Ethernet(0x0800, request))));
        Assert.Equal(ProbeFrame.Request, m.Classify(underlay));
        // Another UDP port is not VXLAN: its payload is not looked into.
        var elsewhere = Frames.Ip4Frame("192.168.50.1", "192.168.50.2", 17, Frames.Udp(40000, 4790, Frames.Vxlan(4096, Frames.Ethernet(0x0800, request))));
        Assert.Equal(ProbeFrame.Other, m.Classify(elsewhere));
    }

    [Fact]
    public void Classify_TcpSyn_SynAckAndRstAreReplies_OtherPortsAreNot()
    {
        var m = Tcp();
        Assert.Equal(ProbeFrame.Request, m.Classify(Frames.Ip4Frame("10.20.0.2", "10.20.0.3", 6, Frames.Tcp(40001, 8080, 1, 0, 0x002))));
        Assert.Equal(ProbeFrame.Reply, m.Classify(Frames.Ip4Frame("10.20.0.3", "10.20.0.2", 6, Frames.Tcp(8080, 40001, 9, 2, 0x012))));
        Assert.Equal(ProbeFrame.Reply, m.Classify(Frames.Ip4Frame("10.20.0.3", "10.20.0.2", 6, Frames.Tcp(8080, 40001, 0, 2, 0x014))));
        Assert.Equal(ProbeFrame.Other, m.Classify(Frames.Ip4Frame("10.20.0.2", "10.20.0.3", 6, Frames.Tcp(40002, 8080, 1, 0, 0x002))));
        Assert.Equal(ProbeFrame.Other, m.Classify(Frames.Ip4Frame("10.20.0.2", "10.20.0.3", 6, Frames.Tcp(40001, 8080, 2, 10, 0x010))));
        // An ICMP echo is not a TCP probe's request.
        Assert.Equal(ProbeFrame.Other, m.Classify(Frames.Ip4Frame("10.20.0.2", "10.20.0.3", 1, Frames.IcmpEcho(true, 0, 1))));
    }

    [Fact]
    public void Classify_ArpForTheNextHop_AndTruncatedFrames()
    {
        var m = Icmp();
        Assert.Equal(ProbeFrame.ArpRequest, m.Classify(Frames.ArpRequest(Src, Dst)));
        Assert.Equal(ProbeFrame.Other, m.Classify(Frames.ArpRequest(Src, IPAddress.Parse("10.20.0.9"))));
        var request = Frames.Ip4Frame("10.20.0.2", "10.20.0.3", 1, Frames.IcmpEcho(true, 0x4242, 1));
        for (var length = 0; length < request.Length; length++)
        {
            // Never throws; a frame cut before the identifier is not claimed as the probe.
            var kind = m.Classify(request.AsSpan(0, length));
            Assert.True(kind == ProbeFrame.Other || length >= 14 + 20 + 6, $"length {length}: {kind}");
        }
    }
}
