using Netstack.Core;
using Netstack.Dns.Names;
using Xunit;

namespace Netstack.Controller.Tests;

public sealed class DnsNameFeedTests : IDisposable
{
    private readonly ControllerFixture _f = new();

    public void Dispose() => _f.Dispose();

    [Fact]
    public async Task Table_FollowsJoinsLeavesAndRenames_AndSeesOnlySharedNetworks()
    {
        await _f.CreateNetworkAsync("web", "10.20.0.0/24");
        await _f.CreateNetworkAsync("other", "10.21.0.0/24");
        var api = await _f.Controller.CreateSandboxAsync(new SandboxSpec { Name = "Api", ContainerId = ObjectId.New() });
        var client = await _f.Controller.CreateSandboxAsync(new SandboxSpec { Name = "client" });
        var stranger = await _f.Controller.CreateSandboxAsync(new SandboxSpec { Name = "stranger" });
        var existing = await _f.Controller.ConnectAsync("web", "Api", new EndpointSpec { Aliases = ["backend"] });
        var table = new DnsNameTable();
        using var feed = new DnsNameFeed(_f.Controller, table);

        await feed.StartAsync();
        await _f.Controller.ConnectAsync("web", "client");
        await _f.Controller.ConnectAsync("other", "stranger");

        var asker = new DnsAsker(client.Id);
        Assert.True(table.TryLookupName(asker, "api", out var byName));
        Assert.Equal([existing.IPv4Address!.Value.Address], byName);
        Assert.True(table.TryLookupName(asker, "backend", out _));
        Assert.True(table.TryLookupName(asker, api.ContainerId![..12], out _));
        Assert.False(table.TryLookupName(new DnsAsker(stranger.Id), "api", out _));

        await _f.Controller.RenameSandboxAsync("Api", "api2");
        Assert.False(table.TryLookupName(asker, "api", out _));
        Assert.True(table.TryLookupName(asker, "api2", out _));

        await _f.Controller.DisconnectAsync("web", "api2");
        Assert.False(table.TryLookupName(asker, "api2", out _));
        Assert.False(table.TryLookupName(asker, "backend", out _));
        Assert.False(table.TryLookupName(new DnsAsker(api.Id), "client", out _));
    }

    [Fact]
    public async Task EndpointsTheFilterRefuses_GetNoNames_OthersOnTheSameSandboxDo()
    {
        await _f.CreateNetworkAsync("bridge", "10.22.0.0/24");
        await _f.CreateNetworkAsync("web", "10.23.0.0/24");
        var both = await _f.Controller.CreateSandboxAsync(new SandboxSpec { Name = "both" });
        await _f.Controller.CreateSandboxAsync(new SandboxSpec { Name = "plain" });
        await _f.Controller.CreateSandboxAsync(new SandboxSpec { Name = "webonly" });
        var table = new DnsNameTable();
        using var feed = new DnsNameFeed(_f.Controller, table, e => e.NetworkName != "bridge");
        await _f.Controller.ConnectAsync("bridge", "plain"); // before the start: loaded by the listing
        await feed.StartAsync();
        await _f.Controller.ConnectAsync("bridge", "both"); // after: applied from the event
        await _f.Controller.ConnectAsync("web", "both");
        await _f.Controller.ConnectAsync("web", "webonly");

        var asker = new DnsAsker(both.Id);
        Assert.False(table.TryLookupName(asker, "plain", out _));
        Assert.True(table.TryLookupName(asker, "webonly", out _));
        Assert.True(table.TryLookupName(new DnsAsker((await _f.Controller.GetSandboxAsync("webonly")).Id), "both", out var addresses));
        Assert.Single(addresses); // only its address on web, not the one on bridge
    }
}
