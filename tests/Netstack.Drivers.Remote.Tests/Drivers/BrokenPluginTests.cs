using Netstack.Core;
using Netstack.Core.Drivers;
using Netstack.Drivers.Remote.Plugins;
using Netstack.Drivers.Remote.Tests.Fakes;
using Xunit;

namespace Netstack.Drivers.Remote.Tests.Drivers;

/// <summary>A plugin that misbehaves: every way gives an error naming the plugin, the call and what was wrong.</summary>
public sealed class BrokenPluginTests
{
    private const string NetworkId = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    private static readonly DriverNetwork Network = new() { NetworkId = NetworkId, Name = "pn" };

    [Fact]
    public async Task Hangs_UnavailableWithinTheCallTimeout()
    {
        await using var lab = await RemoteLab.StartAsync(callTimeout: TimeSpan.FromMilliseconds(300));
        lab.Plugin.Hang("NetworkDriver.CreateNetwork");

        var e = await Assert.ThrowsAsync<UnavailableException>(() => lab.Driver.CreateNetworkAsync(Network, CancellationToken.None));

        Assert.Contains("plugin \"fake\"", e.Message, StringComparison.Ordinal);
        Assert.Contains("NetworkDriver.CreateNetwork: no answer within 0.3 s", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http500WithoutErr_UnavailableWithStatusAndBody()
    {
        await using var lab = await RemoteLab.StartAsync();
        lab.Plugin.ReplyRaw("NetworkDriver.CreateNetwork", 500, "text/plain", "panic: runtime error");

        var e = await Assert.ThrowsAsync<UnavailableException>(() => lab.Driver.CreateNetworkAsync(Network, CancellationToken.None));

        Assert.Contains("NetworkDriver.CreateNetwork: bad answer: HTTP 500", e.Message, StringComparison.Ordinal);
        Assert.Contains("panic: runtime error", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http500WithErr_PluginErrorCarryingItsText()
    {
        await using var lab = await RemoteLab.StartAsync();
        lab.Plugin.ReplyRaw("NetworkDriver.CreateNetwork", 500, FakePlugin.MediaType, """{"Err": "subnet overlaps with 10.0.0.0/8"}""");

        var e = await Assert.ThrowsAsync<PluginErrorException>(() => lab.Driver.CreateNetworkAsync(Network, CancellationToken.None));

        Assert.Equal(500, e.StatusCode);
        Assert.Equal("subnet overlaps with 10.0.0.0/8", e.PluginError);
        Assert.Equal(400, e.Category.ToHttpStatusCode());
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("[1, 2, 3]")]
    [InlineData("")]
    [InlineData("""{"Err": 42}""")]
    public async Task MalformedJson_UnavailableSayingSo(string body)
    {
        await using var lab = await RemoteLab.StartAsync();
        lab.Plugin.ReplyRaw("NetworkDriver.CreateNetwork", 200, FakePlugin.MediaType, body);

        var e = await Assert.ThrowsAsync<UnavailableException>(() => lab.Driver.CreateNetworkAsync(Network, CancellationToken.None));

        Assert.Contains("NetworkDriver.CreateNetwork: bad answer: the answer is not the JSON expected", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task JsonNull_UnavailableSayingSo()
    {
        await using var lab = await RemoteLab.StartAsync();
        lab.Plugin.ReplyRaw("NetworkDriver.CreateNetwork", 200, FakePlugin.MediaType, "null");

        var e = await Assert.ThrowsAsync<UnavailableException>(() => lab.Driver.CreateNetworkAsync(Network, CancellationToken.None));

        Assert.Contains("JSON null", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongContentType_UnavailableNamingIt()
    {
        await using var lab = await RemoteLab.StartAsync();
        lab.Plugin.ReplyRaw("NetworkDriver.CreateNetwork", 200, "text/html", "<html>{}</html>");

        var e = await Assert.ThrowsAsync<UnavailableException>(() => lab.Driver.CreateNetworkAsync(Network, CancellationToken.None));

        Assert.Contains("the answer is text/html, not JSON", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("application/vnd.docker.plugins.v1.1+json")]
    public async Task OtherJsonContentTypes_Accepted(string contentType)
    {
        await using var lab = await RemoteLab.StartAsync();
        lab.Plugin.ReplyRaw("NetworkDriver.CreateNetwork", 200, contentType, "{}");

        await lab.Driver.CreateNetworkAsync(Network, CancellationToken.None);

        Assert.Single(lab.Plugin.CallsOf("NetworkDriver.CreateNetwork"));
    }

    [Fact]
    public async Task OversizedAnswer_Refused()
    {
        await using var lab = await RemoteLab.StartAsync();
        lab.Plugin.ReplyRaw("NetworkDriver.CreateNetwork", 200, FakePlugin.MediaType, "{\"Err\": \"" + new string('x', 2 << 20) + "\"}");

        var e = await Assert.ThrowsAsync<UnavailableException>(() => lab.Driver.CreateNetworkAsync(Network, CancellationToken.None));

        Assert.Contains("bytes accepted", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DiesMidJoin_UnavailableConnectionClosed_PluginToldToLeave()
    {
        await using var lab = await RemoteLab.StartAsync();
        lab.Plugin.Die("NetworkDriver.Join");

        var e = await Assert.ThrowsAsync<UnavailableException>(() => lab.Driver.JoinAsync(RemoteNetworkDriverTests.Join(), CancellationToken.None));

        Assert.Contains("NetworkDriver.Join", e.Message, StringComparison.Ordinal);
        Assert.Contains("connection", e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.NotEmpty(lab.Plugin.CallsOf("NetworkDriver.Join"));
        Assert.Single(lab.Plugin.CallsOf("NetworkDriver.Leave"));
    }

    [Fact]
    public async Task PluginGone_EveryCallUnavailable_NamingTheAddress()
    {
        await using var lab = await RemoteLab.StartAsync();
        await lab.Driver.InitializeAsync(CancellationToken.None);
        await lab.Plugin.DisposeAsync();

        var e = await Assert.ThrowsAsync<UnavailableException>(() => lab.Driver.DeleteNetworkAsync(NetworkId, CancellationToken.None));

        Assert.Contains("NetworkDriver.DeleteNetwork", e.Message, StringComparison.Ordinal);
        Assert.Contains(lab.Dirs.SocketOf("fake"), e.Message, StringComparison.Ordinal);
    }
}
