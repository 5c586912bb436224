using System.Text;
using Netstack.Daemon.Http;
using Xunit;

namespace Netstack.Api.Tests.Daemon;

public sealed class HijackRequestRewriterTests
{
    private static (bool Rewritten, string Head, long Body) Rewrite(string head)
    {
        var bytes = Encoding.ASCII.GetBytes(head);
        var ok = HijackRequestRewriter.TryRewrite(bytes, bytes.Length, out var rewritten, out var body);
        return (ok, Encoding.ASCII.GetString(rewritten), body);
    }

    [Fact]
    public void TheDockerClisExecStart_LosesItsBodyAndContentLength_KeepsEverythingElse()
    {
        var (ok, head, body) = Rewrite("POST /v1.41/exec/abc/start HTTP/1.1\r\nHost: api.moby.localhost\r\nContent-Length: 29\r\nConnection: Upgrade\r\nContent-Type: application/json\r\nUpgrade: tcp\r\n\r\n");

        Assert.True(ok);
        Assert.Equal(29, body);
        Assert.Equal("POST /v1.41/exec/abc/start HTTP/1.1\r\nHost: api.moby.localhost\r\nConnection: Upgrade\r\nContent-Type: application/json\r\nUpgrade: tcp\r\n\r\n", head);
    }

    [Theory]
    [InlineData("POST /v1.41/exec/abc/start HTTP/1.1\r\nContent-Length: 29\r\nContent-Type: application/json\r\n\r\n")] // no upgrade: a detached start
    [InlineData("POST /v1.41/exec/abc/start HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n")] // no body: Kestrel upgrades it as it is
    [InlineData("POST /v1.41/containers/abc/attach HTTP/1.1\r\nContent-Length: 2\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n")] // another route
    [InlineData("GET /v1.41/exec/abc/start HTTP/1.1\r\nContent-Length: 2\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n")]
    [InlineData("POST /v1.41/exec/abc/start HTTP/1.1\r\nTransfer-Encoding: chunked\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n")]
    [InlineData("POST /v1.41/exec/abc/start HTTP/1.1\r\nContent-Length: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n")]
    [InlineData("POST /v1.41/exec/abc/start HTTP/1.1\r\nContent-Length: 2\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n")]
    public void EveryOtherRequest_PassesUnchanged(string head) => Assert.False(Rewrite(head).Rewritten);

    [Theory]
    [InlineData("POST /v1.41/containers/abc/attach?stream=1&stdout=1 HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n", true)]
    [InlineData("POST /v1.41/exec/abc/start HTTP/1.1\r\nConnection: Upgrade\r\nupgrade: TCP\r\n\r\n", true)]
    [InlineData("POST /containers/abc/attach HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n", true)]
    [InlineData("POST /v1.41/containers/abc/attach HTTP/1.1\r\n\r\n", false)] // no upgrade: a plain request, FIN ends it
    [InlineData("POST /v1.41/containers/abc/start HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n", false)]
    [InlineData("GET /v1.41/containers/abc/attach HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n", false)]
    [InlineData("POST /v1.41/containers/abc/attach HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n", false)]
    public void IsHijack_OnlyUpgradesToTcpOnTheHijackedRoutes(string head, bool expected)
    {
        var bytes = Encoding.ASCII.GetBytes(head);
        Assert.Equal(expected, HijackRequestRewriter.IsHijack(bytes, bytes.Length));
    }
}
