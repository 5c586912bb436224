using System.Net;
using Netstack.Daemon.Gossip;
using Xunit;

namespace Netstack.Api.Tests.Gossip;

public sealed class KnownPeersTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "nst-peers-" + Guid.NewGuid().ToString("N"));

    private string FilePath => KnownPeers.PathUnder(_root);

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public void NoFileYet_IsAnEmptyList_AndNothingIsWrittenUntilSomethingChanges()
    {
        var peers = KnownPeers.Load(FilePath, _ => Assert.Fail("nothing to skip"));
        Assert.Empty(peers.EndpointsExcept("self"));
        peers.Flush();
        Assert.False(File.Exists(FilePath));
    }

    [Fact]
    public void SeenMembersSurviveARestart_LeftOnesAreDropped_FailedOnesStay_SelfIsNotAJoinTarget()
    {
        var peers = KnownPeers.Load(FilePath, _ => { });
        peers.Seen("a", IPEndPoint.Parse("10.0.0.1:7946"));
        peers.Seen("b", IPEndPoint.Parse("10.0.0.2:7946"));
        peers.Seen("c", IPEndPoint.Parse("10.0.0.3:7000"));
        peers.Seen("c", IPEndPoint.Parse("10.0.0.3:7946")); // came back on another port: the newest counts
        peers.Left("b");
        peers.Flush();

        Assert.Equal("a 10.0.0.1:7946\nc 10.0.0.3:7946\n", File.ReadAllText(FilePath));
        var reloaded = KnownPeers.Load(FilePath, _ => Assert.Fail("nothing to skip"));
        Assert.Equal([IPEndPoint.Parse("10.0.0.3:7946")], reloaded.EndpointsExcept("a"));
        Assert.Equal(2, reloaded.EndpointsExcept("nobody").Count);
        Assert.False(File.Exists(FilePath + ".tmp"));
    }

    [Fact]
    public void UnreadableLines_AreSkippedAndReported_TheRestIsKept()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
        File.WriteAllText(FilePath, "a 10.0.0.1:7946\ngarbage\nb not-an-endpoint\nc 10.0.0.3:0\n\nd [2001:db8::4]:7946\n");
        var skipped = new List<string>();

        var peers = KnownPeers.Load(FilePath, skipped.Add);

        Assert.Equal(["garbage", "b not-an-endpoint", "c 10.0.0.3:0"], skipped);
        Assert.Equal([IPEndPoint.Parse("10.0.0.1:7946"), IPEndPoint.Parse("[2001:db8::4]:7946")], peers.EndpointsExcept("x").OrderBy(e => e.AddressFamily));
    }
}
