using System.Net;
using Netstack.Core;
using Netstack.Core.Ipam;
using Netstack.Drivers.Remote.Plugins;
using Netstack.Drivers.Remote.Tests.Fakes;
using Xunit;

namespace Netstack.Drivers.Remote.Tests.Drivers;

public sealed class RemoteIpamDriverTests
{
    [Fact]
    public async Task RequestPool_MapsTheAddressSpaceAndSendsTheRequest()
    {
        await using var lab = await RemoteLab.StartAsync();
        lab.Plugin.Reply("IpamDriver.RequestPool", new { PoolID = "pool-1", Pool = "10.70.0.0/24", Data = new Dictionary<string, string>() });

        var pool = await lab.Ipam.RequestPoolAsync(new PoolRequest
        {
            Subnet = IPNetwork.Parse("10.70.0.0/24"),
            IpRange = IPNetwork.Parse("10.70.0.128/25"),
            Options = new Dictionary<string, string> { ["o"] = "1" },
        }, CancellationToken.None);

        Assert.Equal("pool-1", pool.PoolId);
        Assert.Equal(IPNetwork.Parse("10.70.0.0/24"), pool.Subnet);
        var body = Assert.Single(lab.Plugin.CallsOf("IpamDriver.RequestPool")).Body;
        Assert.Equal("fake-local", body.GetProperty("AddressSpace").GetString());
        Assert.Equal("10.70.0.0/24", body.GetProperty("Pool").GetString());
        Assert.Equal("10.70.0.128/25", body.GetProperty("SubPool").GetString());
        Assert.Equal("1", body.GetProperty("Options").GetProperty("o").GetString());
        Assert.False(body.GetProperty("V6").GetBoolean());
        Assert.Equal(["pool-1"], await lab.Ipam.ListPoolsAsync(IpamAddressSpaces.Local, CancellationToken.None));
    }

    [Theory]
    [InlineData("""{"Pool": "10.70.0.0/24"}""", "PoolID")]
    [InlineData("""{"PoolID": "p", "Pool": "banana"}""", "\"Pool\" \"banana\"")]
    [InlineData("""{"PoolID": "p", "Pool": "10.71.0.0/24"}""", "where 10.70.0.0/24 was asked for")]
    public async Task RequestPool_BadAnswer_RefusedAndWhatWasReservedReleased(string answer, string named)
    {
        await using var lab = await RemoteLab.StartAsync();
        lab.Plugin.ReplyRaw("IpamDriver.RequestPool", 200, FakePlugin.MediaType, answer);

        var e = await Assert.ThrowsAsync<UnavailableException>(() => lab.Ipam.RequestPoolAsync(new PoolRequest { Subnet = IPNetwork.Parse("10.70.0.0/24") }, CancellationToken.None));

        Assert.Contains(named, e.Message, StringComparison.Ordinal);
        Assert.Equal(answer.Contains("PoolID", StringComparison.Ordinal) ? 1 : 0, lab.Plugin.CallsOf("IpamDriver.ReleasePool").Count);
        Assert.Empty(await lab.Ipam.ListPoolsAsync(IpamAddressSpaces.Local, CancellationToken.None));
    }

    [Fact]
    public async Task RequestAddress_PreferredSent_CidrAnswerParsed_ReleaseSendsTheBareAddress()
    {
        await using var lab = await RemoteLab.StartAsync();
        lab.Plugin.Reply("IpamDriver.RequestPool", new { PoolID = "pool-1", Pool = "10.70.0.0/24" });
        lab.Plugin.Reply("IpamDriver.RequestAddress", new { Address = "10.70.0.5/24" });
        await lab.Ipam.RequestPoolAsync(new PoolRequest { Subnet = IPNetwork.Parse("10.70.0.0/24") }, CancellationToken.None);

        var address = await lab.Ipam.RequestAddressAsync("pool-1", IPAddress.Parse("10.70.0.5"), new Dictionary<string, string>(), CancellationToken.None);
        Assert.Equal(CidrAddress.Parse("10.70.0.5/24"), address);
        Assert.Equal([IPAddress.Parse("10.70.0.5")], await lab.Ipam.ListAddressesAsync("pool-1", CancellationToken.None));

        await lab.Ipam.ReleaseAddressAsync("pool-1", IPAddress.Parse("10.70.0.5"), CancellationToken.None);

        var request = Assert.Single(lab.Plugin.CallsOf("IpamDriver.RequestAddress")).Body;
        Assert.Equal("pool-1", request.GetProperty("PoolID").GetString());
        Assert.Equal("10.70.0.5", request.GetProperty("Address").GetString());
        Assert.Equal("10.70.0.5", Assert.Single(lab.Plugin.CallsOf("IpamDriver.ReleaseAddress")).Body.GetProperty("Address").GetString());
        Assert.Empty(await lab.Ipam.ListAddressesAsync("pool-1", CancellationToken.None));
    }

    [Fact]
    public async Task RequestAddress_PluginGivesAnotherThanPreferred_RefusedAndReleased()
    {
        await using var lab = await RemoteLab.StartAsync();
        lab.Plugin.Reply("IpamDriver.RequestAddress", new { Address = "10.70.0.6/24" });

        var e = await Assert.ThrowsAsync<UnavailableException>(() =>
            lab.Ipam.RequestAddressAsync("pool-1", IPAddress.Parse("10.70.0.5"), new Dictionary<string, string>(), CancellationToken.None));

        Assert.Contains("gave 10.70.0.6 where 10.70.0.5 was asked for", e.Message, StringComparison.Ordinal);
        Assert.Equal("10.70.0.6", Assert.Single(lab.Plugin.CallsOf("IpamDriver.ReleaseAddress")).Body.GetProperty("Address").GetString());
    }

    [Fact]
    public async Task RequestAddress_PluginRefuses_PluginError()
    {
        await using var lab = await RemoteLab.StartAsync();
        lab.Plugin.Reply("IpamDriver.RequestAddress", new { Err = "pool exhausted" });

        var e = await Assert.ThrowsAsync<PluginErrorException>(() => lab.Ipam.RequestAddressAsync("pool-1", null, new Dictionary<string, string>(), CancellationToken.None));

        Assert.Equal("pool exhausted", e.PluginError);
        Assert.Equal("", Assert.Single(lab.Plugin.CallsOf("IpamDriver.RequestAddress")).Body.GetProperty("Address").GetString());
    }

    [Fact]
    public async Task ReleasePool_Unknown_RefusalIsAlreadyReleased()
    {
        await using var lab = await RemoteLab.StartAsync();
        lab.Plugin.Reply("IpamDriver.ReleasePool", new { Err = "no such pool" });

        await lab.Ipam.ReleasePoolAsync("pool-9", CancellationToken.None);

        Assert.Equal("pool-9", Assert.Single(lab.Plugin.CallsOf("IpamDriver.ReleasePool")).Body.GetProperty("PoolID").GetString());
    }

    [Fact]
    public async Task NoNetworkDriverSubsystem_IpamStillWorks()
    {
        await using var lab = await RemoteLab.StartAsync();
        lab.Plugin.Reply("Plugin.Activate", new { Implements = new[] { "IpamDriver" } });
        lab.Plugin.Reply("IpamDriver.RequestPool", new { PoolID = "p", Pool = "10.70.0.0/24" });

        await lab.Ipam.RequestPoolAsync(new PoolRequest { Subnet = IPNetwork.Parse("10.70.0.0/24") }, CancellationToken.None);
        await Assert.ThrowsAsync<NotImplementedNetstackException>(() => lab.Driver.InitializeAsync(CancellationToken.None));
    }
}
