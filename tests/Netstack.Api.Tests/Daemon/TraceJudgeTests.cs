using System.Net;
using Netstack.Api.Contracts.Capture;
using Netstack.Cli.Commands.Debug;
using Netstack.Daemon.Capture;
using Xunit;

namespace Netstack.Api.Tests.Daemon;

/// <summary>Where a trace stopped, over a path of this host's hops and the destination host's.</summary>
public sealed class TraceJudgeTests
{
    private static readonly IPAddress Destination = IPAddress.Parse("10.95.0.3");

    private static TraceResult Path(params (string Role, string? Node, int Requests, int Replies)[] hops) => new()
    {
        Container = "sa",
        Source = "10.95.0.2",
        Destination = Destination.ToString(),
        Hops = hops.Select(h => new TraceHop { Role = h.Role, Node = h.Node, RequestsSeen = h.Requests, RepliesSeen = h.Replies, LinkState = "up" }).ToList(),
    };

    [Fact]
    public void Judge_RequestLostBetweenTheHosts_StopsAtTheRemoteUnderlay()
    {
        var r = Path(("eth0 of sa on ov1", null, 1, 0), ("br0 of ov1", null, 1, 0), ("vxlan of ov1", null, 1, 0), ("underlay (10.1.0.1)", null, 1, 0),
            ("b: underlay (10.1.0.2)", "b", 0, 0), ("b: vxlan of ov1", "b", 0, 0), ("b: br0 of ov1", "b", 0, 0), ("b: eth0 of sb on ov1", "b", 0, 0));

        TraceRunner.Judge(r, Destination, Destination);

        Assert.Equal("b: underlay (10.1.0.2)", r.StoppedAt);
        Assert.Equal("the request was seen at underlay (10.1.0.1) but not at b: underlay (10.1.0.2): look there first", r.Verdict);
        var lines = TraceCommand.Describe(r).ToList();
        Assert.Contains(lines, l => l.StartsWith("  5  b: underlay (10.1.0.2)", StringComparison.Ordinal) && l.EndsWith("<- stopped here", StringComparison.Ordinal));
    }

    [Fact]
    public void Judge_ReplyLostOnTheRemoteHost_StopsWhereTheReplyWasLastMissing()
    {
        var r = Path(("eth0 of sa on ov1", null, 1, 0), ("underlay (10.1.0.1)", null, 1, 0),
            ("b: underlay (10.1.0.2)", "b", 1, 0), ("b: vxlan of ov1", "b", 1, 1), ("b: eth0 of sb on ov1", "b", 1, 1));

        TraceRunner.Judge(r, Destination, Destination);

        Assert.Equal("b: underlay (10.1.0.2)", r.StoppedAt);
        Assert.Equal("the reply was seen at b: vxlan of ov1 but not at b: underlay (10.1.0.2): look there first", r.Verdict);
    }

    [Fact]
    public void Judge_StoppedAtAnotherNetworksBridge_SaysWhyWhenTold()
    {
        var r = Path(("eth0 of sa on web1", null, 1, 0), ("bridge of web1", null, 1, 0), ("bridge of web2", null, 0, 0), ("eth0 of sb on web2", null, 0, 0));
        var why = new Dictionary<string, string> { ["bridge of web2"] = "; the isolation rules drop it" };

        TraceRunner.Judge(r, Destination, null, why);

        Assert.Equal("bridge of web2", r.StoppedAt);
        Assert.Equal("the request was seen at bridge of web1 but not at bridge of web2; the isolation rules drop it: look there first", r.Verdict);

        // The same path without a reason for that hop says only where.
        var plain = Path(("eth0 of sa on web1", null, 1, 0), ("bridge of web1", null, 1, 0), ("bridge of web2", null, 0, 0));
        TraceRunner.Judge(plain, Destination, null, why: null);
        Assert.DoesNotContain("isolation", plain.Verdict, StringComparison.Ordinal);
    }
}
