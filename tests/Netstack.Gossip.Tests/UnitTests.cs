using System.Net;
using Netstack.Gossip.Broadcast;
using Netstack.Gossip.Membership;
using Netstack.Gossip.Wire;
using Netstack.TestKit;
using Xunit;

namespace Netstack.Gossip.Tests;

public sealed class UnitTests
{
    [Theory]
    // memberlist's retransmitLimit: mult * ceil(log10(n + 1)).
    [InlineData(4, 1, 4)]
    [InlineData(4, 9, 4)]
    [InlineData(4, 10, 8)]
    [InlineData(4, 99, 8)]
    [InlineData(4, 1000, 16)]
    public void RetransmitLimit_FollowsLogFormula(int mult, int n, int expected) =>
        Assert.Equal(expected, BroadcastQueue.RetransmitLimit(mult, n));

    [Fact]
    public void SuspicionTimeout_ShrinksWithConfirmations_NeverBelowMin()
    {
        var min = Suspicion.MinTimeout(4, 100, TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.FromSeconds(8), min); // 4 * log10(100) * 1 s
        var max = min * 6;
        Assert.Equal(max, Suspicion.Remaining(0, 2, TimeSpan.Zero, min, max));
        var one = Suspicion.Remaining(1, 2, TimeSpan.Zero, min, max);
        Assert.True(one < max && one > min);
        // log(2)/log(3) of the way from max to min: 48 - 40 * 0.6309 = 22.76 s.
        Assert.Equal(22_762, one.TotalMilliseconds, 0.6);
        Assert.Equal(min, Suspicion.Remaining(2, 2, TimeSpan.Zero, min, max));
        Assert.Equal(min - TimeSpan.FromSeconds(3), Suspicion.Remaining(2, 2, TimeSpan.FromSeconds(3), min, max));
        Assert.Equal(TimeSpan.FromSeconds(4), Suspicion.MinTimeout(4, 1, TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void Suspicion_Confirmations_FireEarlier_OnlyOncePerMember()
    {
        var time = new FakeTimeProvider();
        var fired = TimeSpan.Zero;
        using var suspicion = new Suspicion(time, "a", 2, TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(24), () => fired = time.Elapsed);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(suspicion.Confirm("a"));
        Assert.True(suspicion.Confirm("b"));
        Assert.False(suspicion.Confirm("b"));
        Assert.True(suspicion.Confirm("c"));
        Assert.False(suspicion.Confirm("d"));
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(TimeSpan.FromSeconds(4), fired);
    }

    [Fact]
    public void PushPullScale_GrowsBeyond32Members()
    {
        var interval = TimeSpan.FromSeconds(30);
        Assert.Equal(interval, GossipNode.PushPullScale(interval, 32));
        Assert.Equal(interval * 2, GossipNode.PushPullScale(interval, 64));
        Assert.Equal(interval * 6, GossipNode.PushPullScale(interval, 1000));
    }

    [Fact]
    public void Awareness_ScalesTimeouts_AndClampsScore()
    {
        var awareness = new Awareness(8);
        awareness.Apply(-3);
        Assert.Equal(0, awareness.Score);
        awareness.Apply(20);
        Assert.Equal(7, awareness.Score);
        Assert.Equal(TimeSpan.FromSeconds(8), awareness.Scale(TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void BroadcastQueue_NewerMessageReplacesOlder_AndRetiresAfterLimit()
    {
        var queue = new BroadcastQueue();
        queue.Enqueue("m:a", [1, 0, 1, 0xA]);
        queue.Enqueue("m:a", [1, 0, 1, 0xB]);
        queue.Enqueue("t:x", [10, 0, 1, 0xC], network: "ov");
        var output = new List<byte[]>();

        queue.Fill(output, 1400, _ => false, _ => 2);
        Assert.Equal([[1, 0, 1, 0xB]], output);
        output.Clear();
        queue.Fill(output, 1400, _ => true, _ => 2);
        Assert.Equal(2, output.Count);
        output.Clear();
        queue.Fill(output, 1400, _ => true, _ => 2);
        Assert.Single(output); // m:a reached 2 sends and was retired
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public void WireReader_RejectsShortAndInvalidFields()
    {
        var w = new WireWriter();
        w.WriteString("node");
        w.WriteEndpoint(new IPEndPoint(IPAddress.Parse("fd00::1"), 7946));
        var bytes = w.ToArray();
        var ok = new WireReader(bytes);
        Assert.True(ok.TryReadString(out var s) && s == "node");
        Assert.True(ok.TryReadEndpoint(out var ep) && ep.Port == 7946 && ep.Address.Equals(IPAddress.Parse("fd00::1")));
        Assert.True(ok.End);

        var shortRead = new WireReader(bytes.AsSpan(0, 3));
        Assert.False(shortRead.TryReadString(out _));
        var zeroLength = new WireReader([0]);
        Assert.False(zeroLength.TryReadString(out _));
        var control = new WireReader([2, (byte)'a', 7]);
        Assert.False(control.TryReadString(out _));
        var badFamily = new WireReader([5, 1, 2, 3, 4, 0, 1]);
        Assert.False(badFamily.TryReadEndpoint(out _));
    }

    [Fact]
    public void Options_Validate_NamesTheFieldAndValue()
    {
        var options = new GossipOptions { ProbeTimeout = TimeSpan.FromSeconds(2) };
        var error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Equal(nameof(GossipOptions.ProbeTimeout), error.ParamName);
        Assert.Contains("00:00:02", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new GossipOptions { NodeName = "" }.Validate());
        Assert.Throws<ArgumentException>(() => new GossipOptions { GossipNodes = 0 }.Validate());
        new GossipOptions().Validate();
    }

    [Fact]
    public void Options_Defaults_AreMemberlistLan()
    {
        var o = new GossipOptions();
        Assert.Equal(TimeSpan.FromSeconds(1), o.ProbeInterval);
        Assert.Equal(TimeSpan.FromMilliseconds(500), o.ProbeTimeout);
        Assert.Equal(3, o.IndirectChecks);
        Assert.Equal(4, o.SuspicionMultiplier);
        Assert.Equal(6, o.SuspicionMaxTimeoutMultiplier);
        Assert.Equal(TimeSpan.FromMilliseconds(200), o.GossipInterval);
        Assert.Equal(3, o.GossipNodes);
        Assert.Equal(TimeSpan.FromSeconds(30), o.PushPullInterval);
        Assert.Equal(4, o.RetransmitMultiplier);
        Assert.Equal(8, o.AwarenessMaxMultiplier);
        Assert.Equal(TimeSpan.FromMinutes(30), o.TombstoneReapTime);
        Assert.Equal(7946, o.BindPort);
    }
}
