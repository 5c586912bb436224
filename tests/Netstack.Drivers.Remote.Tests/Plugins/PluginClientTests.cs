using Netstack.Core;
using Netstack.Drivers.Remote.Plugins;
using Netstack.Drivers.Remote.Tests.Fakes;
using Xunit;

namespace Netstack.Drivers.Remote.Tests.Plugins;

public sealed class PluginClientTests
{
    [Fact]
    public async Task Activate_SendsDockersMediaType_AndIsCached()
    {
        using var dirs = PluginDirectory.Create();
        await using var plugin = await dirs.StartPluginAsync("p");
        using var client = new PluginClient(new PluginDiscovery(dirs.Options()).Find("p"), dirs.Options());

        var first = await client.ActivateAsync(CancellationToken.None);
        var second = await client.ActivateAsync(CancellationToken.None);

        Assert.Equal(["NetworkDriver", "IpamDriver"], first);
        Assert.Same(first, second);
        var call = Assert.Single(plugin.CallsOf("Plugin.Activate"));
        Assert.Equal(PluginClient.MediaType, call.Accept);
        Assert.Equal(PluginClient.MediaType, call.ContentType);
    }

    [Fact]
    public async Task SpecFileWithTcpUrl_CallsGoOverTcp()
    {
        using var dirs = PluginDirectory.Create();
        await using var plugin = await FakePlugin.StartTcpAsync();
        File.WriteAllText(Path.Combine(dirs.Specs, "tcpplugin.spec"), plugin.Address.ToString());
        using var client = new PluginClient(new PluginDiscovery(dirs.Options()).Find("tcpplugin"), dirs.Options());

        await client.EnsureImplementsAsync("IpamDriver", CancellationToken.None);

        Assert.Equal("tcp", plugin.Address.Scheme);
        Assert.Equal(PluginClient.MediaType, Assert.Single(plugin.CallsOf("Plugin.Activate")).Accept);
    }

    [Fact]
    public async Task Activate_PluginStartsLate_RetriesUntilItAnswers()
    {
        using var dirs = PluginDirectory.Create();
        var socket = Path.Combine(dirs.Root, "late", "late.sock");
        File.WriteAllText(Path.Combine(dirs.Specs, "late.spec"), "unix://" + socket);
        using var client = new PluginClient(new PluginDiscovery(dirs.Options()).Find("late"), dirs.Options(activationTimeout: TimeSpan.FromSeconds(20)));

        var activation = client.ActivateAsync(CancellationToken.None);
        // The first attempts find no socket; the plugin comes up while the client backs off.
        await Task.Delay(400);
        Assert.False(activation.IsCompleted, "activation finished before the plugin existed");
        await using var plugin = await FakePlugin.StartAsync(socket);
        var implements = await activation;

        Assert.Contains("NetworkDriver", implements);
        Assert.Single(plugin.CallsOf("Plugin.Activate"));
    }

    [Fact]
    public async Task Activate_NothingListening_UnavailableAfterRetries_NamingPluginAndSource()
    {
        using var dirs = PluginDirectory.Create();
        var spec = Path.Combine(dirs.Specs, "gone.spec");
        File.WriteAllText(spec, "unix://" + Path.Combine(dirs.Root, "nobody.sock"));
        using var client = new PluginClient(new PluginDiscovery(dirs.Options()).Find("gone"), dirs.Options(activationTimeout: TimeSpan.FromMilliseconds(600)));

        var e = await Assert.ThrowsAsync<UnavailableException>(() => client.ActivateAsync(CancellationToken.None));

        Assert.Contains("plugin \"gone\"", e.Message, StringComparison.Ordinal);
        Assert.Contains("Plugin.Activate", e.Message, StringComparison.Ordinal);
        Assert.Contains("cannot connect", e.Message, StringComparison.Ordinal);
        Assert.Contains(spec, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("after 1 attempt(s)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Activate_Fails_ThenPluginComesUp_NextActivationSucceeds()
    {
        using var dirs = PluginDirectory.Create();
        using var client = new PluginClient(new PluginEndpoint { Name = "flaky", Address = new Uri("unix://" + dirs.SocketOf("flaky")), Source = "test" },
            dirs.Options(activationTimeout: TimeSpan.FromMilliseconds(200)));
        await Assert.ThrowsAsync<UnavailableException>(() => client.ActivateAsync(CancellationToken.None));

        await using var plugin = await dirs.StartPluginAsync("flaky");

        Assert.Contains("IpamDriver", await client.ActivateAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Activate_Hangs_UnavailableNoAnswerWithinTimeout()
    {
        using var dirs = PluginDirectory.Create();
        await using var plugin = await dirs.StartPluginAsync("slow");
        plugin.Hang("Plugin.Activate");
        using var client = new PluginClient(new PluginDiscovery(dirs.Options()).Find("slow"), dirs.Options(activationTimeout: TimeSpan.FromMilliseconds(500)));

        var e = await Assert.ThrowsAsync<UnavailableException>(() => client.ActivateAsync(CancellationToken.None));

        Assert.Contains("Plugin.Activate: no answer within", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Activate_WithoutImplements_BadAnswer()
    {
        using var dirs = PluginDirectory.Create();
        await using var plugin = await dirs.StartPluginAsync("odd");
        plugin.Reply("Plugin.Activate", new { Something = 1 });
        using var client = new PluginClient(new PluginDiscovery(dirs.Options()).Find("odd"), dirs.Options());

        var e = await Assert.ThrowsAsync<UnavailableException>(() => client.ActivateAsync(CancellationToken.None));

        Assert.Contains("Implements", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EnsureImplements_OtherSubsystemOnly_NotImplemented()
    {
        using var dirs = PluginDirectory.Create();
        await using var plugin = await dirs.StartPluginAsync("vol");
        plugin.Reply("Plugin.Activate", new { Implements = new[] { "VolumeDriver" } });
        using var client = new PluginClient(new PluginDiscovery(dirs.Options()).Find("vol"), dirs.Options());

        var e = await Assert.ThrowsAsync<NotImplementedNetstackException>(() => client.EnsureImplementsAsync("NetworkDriver", CancellationToken.None));

        Assert.Contains("VolumeDriver", e.Message, StringComparison.Ordinal);
        Assert.Contains("not NetworkDriver", e.Message, StringComparison.Ordinal);
    }
}
