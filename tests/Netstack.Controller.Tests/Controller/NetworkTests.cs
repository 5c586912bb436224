using System.Net;
using Netstack.Core;
using Xunit;

namespace Netstack.Controller.Tests;

public sealed class NetworkTests : IDisposable
{
    private readonly ControllerFixture _f = new();

    public void Dispose() => _f.Dispose();

    [Fact]
    public async Task Create_UserSubnet_ReservesGatewayAndCreatesInDriver()
    {
        var network = await _f.CreateNetworkAsync("web", "10.20.0.0/24");

        Assert.True(ObjectId.IsFull(network.Id));
        var pool = Assert.Single(network.Ipam.Pools);
        Assert.Equal(IPNetwork.Parse("10.20.0.0/24"), pool.Subnet);
        Assert.Equal("10.20.0.1/24", pool.Gateway.ToString());
        Assert.True(_f.Kernel.DriverNetworks.ContainsKey(network.Id));
        Assert.Equal(_f.Time.GetUtcNow(), network.Created);
        Assert.Equal("web", (await _f.Controller.GetNetworkAsync("web")).Name);
    }

    [Fact]
    public async Task Create_NoSubnet_TakesDockersFirstDefaultPool()
    {
        var network = await _f.CreateNetworkAsync("auto");

        Assert.Equal(IPNetwork.Parse("172.17.0.0/16"), network.Ipam.Pools[0].Subnet);
        Assert.Equal("172.17.0.1/16", network.Ipam.Pools[0].Gateway.ToString());
    }

    [Fact]
    public async Task Create_WithRangeGatewayAndAux_AllReserved()
    {
        var network = await _f.Controller.CreateNetworkAsync(new NetworkSpec
        {
            Name = "ranged",
            Driver = "fake",
            Ipam = new IpamSpec { Pools = [new IpamPoolSpec { Subnet = "10.30.0.0/16", IpRange = "10.30.5.0/24", Gateway = "10.30.0.254", AuxAddresses = new Dictionary<string, string> { ["router"] = "10.30.5.0" } }] },
        });
        await _f.Controller.CreateSandboxAsync(new SandboxSpec { Name = "a" });

        var endpoint = await _f.Controller.ConnectAsync("ranged", "a");

        Assert.Equal("10.30.0.254/16", network.Ipam.Pools[0].Gateway.ToString());
        Assert.Equal(IPAddress.Parse("10.30.5.0"), network.Ipam.Pools[0].AuxAddresses["router"]);
        Assert.Equal("10.30.5.1/16", endpoint.IPv4Address.ToString());
    }

    [Theory]
    [InlineData("subnet", "10.0.0.300/24", null, null, "fake")]
    [InlineData("subnet", "10.0.0.1/24", null, null, "fake")]
    [InlineData("gateway", "10.0.0.0/24", null, "10.0.1.1", "fake")]
    [InlineData("gateway", "10.0.0.0/24", null, "10.0.0.255", "fake")]
    [InlineData("ip-range", "10.0.0.0/24", "10.0.1.0/25", null, "fake")]
    [InlineData("driver", "10.0.0.0/24", null, null, "nosuchdriver")]
    public async Task Create_BadInput_InvalidParameterNamingField_NothingChanges(string field, string subnet, string? range, string? gateway, string driver)
    {
        var keysBefore = _f.Store.Count;

        var e = await Assert.ThrowsAsync<InvalidParameterException>(() => _f.Controller.CreateNetworkAsync(new NetworkSpec
        {
            Name = "bad",
            Driver = driver,
            Ipam = new IpamSpec { Pools = [new IpamPoolSpec { Subnet = subnet, IpRange = range, Gateway = gateway }] },
        }));

        Assert.Equal(field, e.Field);
        Assert.Contains(e.Value!, e.Message, StringComparison.Ordinal);
        Assert.Equal(keysBefore, _f.Store.Count);
        Assert.Equal(0, _f.Driver.CountCalls("CreateNetwork"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("-dash")]
    public async Task Create_BadName_InvalidParameter(string name)
    {
        var e = await Assert.ThrowsAsync<InvalidParameterException>(() => _f.CreateNetworkAsync(name, "10.0.0.0/24"));

        Assert.Equal("name", e.Field);
    }

    [Fact]
    public async Task Create_DuplicateName_Conflict_NothingChanges()
    {
        await _f.CreateNetworkAsync("web", "10.20.0.0/24");
        var keys = _f.Store.Count;

        var e = await Assert.ThrowsAsync<ConflictException>(() => _f.CreateNetworkAsync("web", "10.21.0.0/24"));

        Assert.Contains("web", e.Message, StringComparison.Ordinal);
        Assert.Equal(keys, _f.Store.Count);
    }

    [Fact]
    public async Task Create_OverlappingSubnet_Conflict_AndOtherSubnetStillFree()
    {
        await _f.CreateNetworkAsync("a", "10.20.0.0/16");
        var keys = _f.Store.Count;

        await Assert.ThrowsAsync<ConflictException>(() => _f.CreateNetworkAsync("b", "10.20.1.0/24"));

        Assert.Equal(keys, _f.Store.Count);
        Assert.Single(await _f.Controller.ListNetworksAsync());
        await _f.CreateNetworkAsync("b", "10.21.1.0/24");
    }

    [Fact]
    public async Task Create_DriverFails_RollsBackRecordAndPool()
    {
        _f.Driver.FailOn = "CreateNetwork";

        await Assert.ThrowsAsync<InvalidOperationException>(() => _f.CreateNetworkAsync("web", "10.20.0.0/24"));

        Assert.Equal(0, _f.Store.Count - (await _f.Store.ListAsync("ipam/LocalDefault/pools")).Count);
        Assert.Empty(await _f.Controller.ListNetworksAsync());
        _f.Driver.FailOn = null;
        var again = await _f.CreateNetworkAsync("web", "10.20.0.0/24");
        Assert.Equal("10.20.0.1/24", again.Ipam.Pools[0].Gateway.ToString());
    }

    [Fact]
    public async Task Create_IPv6_AllocatesBothFamilies()
    {
        var network = await _f.Controller.CreateNetworkAsync(new NetworkSpec
        {
            Name = "dual",
            Driver = "fake",
            EnableIPv6 = true,
            Ipam = new IpamSpec { Pools = [new IpamPoolSpec { Subnet = "10.40.0.0/24" }, new IpamPoolSpec { Subnet = "fd00:40::/64" }] },
        });
        await _f.Controller.CreateSandboxAsync(new SandboxSpec { Name = "a" });

        var endpoint = await _f.Controller.ConnectAsync("dual", "a");

        Assert.Equal("fd00:40::1/64", network.Ipam.Pools[1].Gateway.ToString());
        Assert.Equal("10.40.0.2/24", endpoint.IPv4Address.ToString());
        Assert.Equal("fd00:40::2/64", endpoint.IPv6Address.ToString());
        Assert.Equal(IPAddress.Parse("fd00:40::1"), endpoint.GatewayIPv6);
    }

    [Fact]
    public async Task Create_IPv6SubnetWithoutIPv6Flag_InvalidParameter()
    {
        var e = await Assert.ThrowsAsync<InvalidParameterException>(() => _f.CreateNetworkAsync("v6", "fd00:1::/64"));

        Assert.Equal("subnet", e.Field);
    }

    [Fact]
    public async Task Get_ByIdNameAndPrefix_AndUnknownIsNotFound()
    {
        var network = await _f.CreateNetworkAsync("web", "10.20.0.0/24");

        Assert.Equal(network.Id, (await _f.Controller.GetNetworkAsync(network.Id)).Id);
        Assert.Equal(network.Id, (await _f.Controller.GetNetworkAsync(network.Id[..5])).Id);
        var e = await Assert.ThrowsAsync<NotFoundException>(() => _f.Controller.GetNetworkAsync("nope"));
        Assert.Contains("nope", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_Filters()
    {
        await _f.Controller.CreateNetworkAsync(new NetworkSpec { Name = "front", Driver = "fake", Labels = new Dictionary<string, string> { ["tier"] = "web" } });
        await _f.Controller.CreateNetworkAsync(new NetworkSpec { Name = "back", Driver = "fake", Labels = new Dictionary<string, string> { ["tier"] = "db" } });
        await _f.Controller.CreateNetworkAsync(new NetworkSpec { Name = "bridge", Driver = "fake", BuiltIn = true });
        await _f.Controller.CreateSandboxAsync(new SandboxSpec { Name = "s" });
        await _f.Controller.ConnectAsync("back", "s");

        static string[] Names(IReadOnlyList<NetworkInfo> list) => list.Select(n => n.Name).ToArray();

        Assert.Equal(["back", "bridge", "front"], Names(await _f.Controller.ListNetworksAsync()));
        Assert.Equal(["front"], Names(await _f.Controller.ListNetworksAsync(new NetworkFilter { Names = ["ron"] })));
        Assert.Equal(["back"], Names(await _f.Controller.ListNetworksAsync(new NetworkFilter { Labels = ["tier=db"] })));
        Assert.Equal(["back", "front"], Names(await _f.Controller.ListNetworksAsync(new NetworkFilter { Labels = ["tier"] })));
        Assert.Equal(["bridge"], Names(await _f.Controller.ListNetworksAsync(new NetworkFilter { Types = ["builtin"] })));
        Assert.Equal(["bridge", "front"], Names(await _f.Controller.ListNetworksAsync(new NetworkFilter { Dangling = true })));
        Assert.Empty(await _f.Controller.ListNetworksAsync(new NetworkFilter { Drivers = ["bridge"] }));
        await Assert.ThrowsAsync<InvalidParameterException>(() => _f.Controller.ListNetworksAsync(new NetworkFilter { Types = ["weird"] }));
    }

    [Fact]
    public async Task Delete_WithEndpoints_Forbidden_ThenAfterDisconnectRemovesEverything()
    {
        var network = await _f.CreateNetworkAsync("web", "10.20.0.0/24");
        await _f.Controller.CreateSandboxAsync(new SandboxSpec { Name = "a" });
        await _f.Controller.ConnectAsync("web", "a");

        await Assert.ThrowsAsync<ForbiddenException>(() => _f.Controller.DeleteNetworkAsync("web"));
        await _f.Controller.DisconnectAsync("web", "a");
        await _f.Controller.DeleteNetworkAsync("web");

        Assert.False(_f.Kernel.DriverNetworks.ContainsKey(network.Id));
        await Assert.ThrowsAsync<NotFoundException>(() => _f.Controller.GetNetworkAsync("web"));
        Assert.Empty(await _f.Store.ListAsync("networks/"));
        Assert.Empty(await _f.Store.ListAsync("names/networks/"));
        Assert.Empty(await _f.Store.ListAsync("ipam/LocalDefault/addresses/"));
        await _f.CreateNetworkAsync("web", "10.20.0.0/24");
    }

    [Fact]
    public async Task Delete_BuiltIn_Forbidden()
    {
        await _f.Controller.CreateNetworkAsync(new NetworkSpec { Name = "bridge", Driver = "fake", BuiltIn = true });

        await Assert.ThrowsAsync<ForbiddenException>(() => _f.Controller.DeleteNetworkAsync("bridge"));
    }

    [Fact]
    public async Task Delete_DriverFails_NetworkStaysAndCanBeRetried()
    {
        await _f.CreateNetworkAsync("web", "10.20.0.0/24");
        _f.Driver.FailOn = "DeleteNetwork";

        await Assert.ThrowsAsync<TeardownException>(() => _f.Controller.DeleteNetworkAsync("web"));
        Assert.Single(await _f.Controller.ListNetworksAsync());

        _f.Driver.FailOn = null;
        await _f.Controller.DeleteNetworkAsync("web");
        Assert.Empty(await _f.Controller.ListNetworksAsync());
    }

    [Fact]
    public async Task Prune_RemovesUnusedCustomNetworksOnly()
    {
        await _f.Controller.CreateNetworkAsync(new NetworkSpec { Name = "bridge", Driver = "fake", BuiltIn = true });
        await _f.CreateNetworkAsync("used");
        await _f.CreateNetworkAsync("unused1");
        await _f.Controller.CreateNetworkAsync(new NetworkSpec { Name = "keep", Driver = "fake", Labels = new Dictionary<string, string> { ["keep"] = "yes" } });
        _f.Time.Advance(TimeSpan.FromHours(1));
        await _f.CreateNetworkAsync("recent");
        await _f.Controller.CreateSandboxAsync(new SandboxSpec { Name = "s" });
        await _f.Controller.ConnectAsync("used", "s");

        var pruned = await _f.Controller.PruneNetworksAsync(new NetworkPruneFilter { Until = _f.Time.GetUtcNow(), LabelsNot = ["keep"] });

        Assert.Equal(["unused1"], pruned);
        Assert.Equal(["bridge", "keep", "recent", "used"], (await _f.Controller.ListNetworksAsync()).Select(n => n.Name).ToArray());
    }
}
