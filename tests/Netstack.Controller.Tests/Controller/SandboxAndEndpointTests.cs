using System.Net;
using Netstack.Core;
using Xunit;

namespace Netstack.Controller.Tests;

public sealed class SandboxAndEndpointTests : IDisposable
{
    private readonly ControllerFixture _f = new();

    public void Dispose() => _f.Dispose();

    [Fact]
    public async Task CreateSandbox_MakesNamespaceUnderNetnsDirectory_ByShortId()
    {
        var containerId = ObjectId.New();

        var sandbox = await _f.Controller.CreateSandboxAsync(new SandboxSpec { Name = "api", ContainerId = containerId });

        Assert.Equal(Path.Combine(ControllerFixture.NetnsDirectory, sandbox.Id[..12]), sandbox.Key);
        Assert.True(_f.Kernel.NamespaceExists(sandbox.Key));
        Assert.Equal(sandbox.Id, (await _f.Controller.GetSandboxAsync("api")).Id);
        Assert.Equal(sandbox.Id, (await _f.Controller.GetSandboxAsync(containerId)).Id);
        Assert.Equal(sandbox.Id, (await _f.Controller.GetSandboxAsync(containerId[..8])).Id);
    }

    [Fact]
    public async Task CreateSandbox_DuplicateName_Conflict()
    {
        await _f.Controller.CreateSandboxAsync(new SandboxSpec { Name = "api" });

        await Assert.ThrowsAsync<ConflictException>(() => _f.Controller.CreateSandboxAsync(new SandboxSpec { Name = "api" }));

        Assert.Single(_f.Kernel.Namespaces);
    }

    [Fact]
    public async Task Connect_FirstNetwork_Eth0WithAddressMacAndDefaultRoute()
    {
        await _f.CreateNetworkAsync("web", "10.20.0.0/24");
        var sandbox = await _f.Controller.CreateSandboxAsync(new SandboxSpec { Name = "api" });

        var endpoint = await _f.Controller.ConnectAsync("web", "api", new EndpointSpec { Aliases = ["backend"] });

        Assert.Equal("eth0", endpoint.InterfaceName);
        Assert.Equal("10.20.0.2/24", endpoint.IPv4Address.ToString());
        Assert.Equal("02:42:0a:14:00:02", endpoint.MacAddress);
        Assert.Equal(["api", "backend"], endpoint.DnsNames);
        var eth0 = _f.Kernel.Find(sandbox.Key, "eth0")!;
        Assert.True(eth0.Up);
        Assert.Equal([CidrAddress.Parse("10.20.0.2/24")], eth0.Addresses);
        Assert.Equal(IPAddress.Parse("10.20.0.1"), _f.Kernel.DefaultGateway(sandbox.Key));
        Assert.Single((await _f.Controller.GetNetworkAsync("web")).Endpoints);
    }

    [Fact]
    public async Task Connect_SecondNetwork_Eth1_DefaultRouteStaysOnFirst_MovesWhenFirstLeaves()
    {
        await _f.CreateNetworkAsync("a", "10.1.0.0/24");
        await _f.CreateNetworkAsync("b", "10.2.0.0/24");
        var sandbox = await _f.Controller.CreateSandboxAsync(new SandboxSpec { Name = "s" });

        await _f.Controller.ConnectAsync("a", "s");
        var second = await _f.Controller.ConnectAsync("b", "s");

        Assert.Equal("eth1", second.InterfaceName);
        Assert.Equal(IPAddress.Parse("10.1.0.1"), _f.Kernel.DefaultGateway(sandbox.Key));

        await _f.Controller.DisconnectAsync("a", "s");

        Assert.Null(_f.Kernel.Find(sandbox.Key, "eth0"));
        Assert.Equal(IPAddress.Parse("10.2.0.1"), _f.Kernel.DefaultGateway(sandbox.Key));
        var third = await _f.Controller.ConnectAsync("a", "s");
        Assert.Equal("eth0", third.InterfaceName);
    }

    [Fact]
    public async Task Connect_StaticAddress_InsideFree_Taken_Outside_Gateway()
    {
        await _f.CreateNetworkAsync("web", "10.20.0.0/24");
        foreach (var name in new[] { "a", "b", "c", "d" })
        {
            await _f.Controller.CreateSandboxAsync(new SandboxSpec { Name = name });
        }

        var a = await _f.Controller.ConnectAsync("web", "a", new EndpointSpec { IPv4Address = "10.20.0.50" });
        var taken = await Assert.ThrowsAsync<ConflictException>(() => _f.Controller.ConnectAsync("web", "b", new EndpointSpec { IPv4Address = "10.20.0.50" }));
        var outside = await Assert.ThrowsAsync<InvalidParameterException>(() => _f.Controller.ConnectAsync("web", "c", new EndpointSpec { IPv4Address = "10.99.0.5" }));
        var gateway = await Assert.ThrowsAsync<ConflictException>(() => _f.Controller.ConnectAsync("web", "d", new EndpointSpec { IPv4Address = "10.20.0.1" }));
        var garbage = await Assert.ThrowsAsync<InvalidParameterException>(() => _f.Controller.ConnectAsync("web", "d", new EndpointSpec { IPv4Address = "10.20.0.x" }));

        Assert.Equal("10.20.0.50/24", a.IPv4Address.ToString());
        Assert.Contains("10.20.0.50", taken.Message, StringComparison.Ordinal);
        Assert.Equal(("ip", "10.99.0.5"), (outside.Field, outside.Value));
        Assert.Contains("gateway", gateway.Message, StringComparison.Ordinal);
        Assert.Equal("ip", garbage.Field);
        Assert.Single(await _f.Controller.ListEndpointsAsync("web"));
        Assert.Equal(2, (await _f.Ipam.ListAddressesAsync((await _f.Controller.GetNetworkAsync("web")).Ipam.Pools[0].PoolId, default)).Count);
    }

    [Fact]
    public async Task Connect_Twice_Conflict_UnknownNetworkOrSandbox_NotFound()
    {
        await _f.CreateNetworkAsync("web", "10.20.0.0/24");
        await _f.Controller.CreateSandboxAsync(new SandboxSpec { Name = "a" });
        await _f.Controller.ConnectAsync("web", "a");

        await Assert.ThrowsAsync<ConflictException>(() => _f.Controller.ConnectAsync("web", "a"));
        await Assert.ThrowsAsync<NotFoundException>(() => _f.Controller.ConnectAsync("nope", "a"));
        await Assert.ThrowsAsync<NotFoundException>(() => _f.Controller.ConnectAsync("web", "nope"));
        await Assert.ThrowsAsync<NotFoundException>(() => _f.Controller.DisconnectAsync("web", "nope"));
    }

    [Fact]
    public async Task Connect_PoolExhausted_ConflictAndNothingLeftBehind()
    {
        await _f.CreateNetworkAsync("tiny", "10.9.0.0/30");
        var a = await _f.Controller.CreateSandboxAsync(new SandboxSpec { Name = "a" });
        var b = await _f.Controller.CreateSandboxAsync(new SandboxSpec { Name = "b" });
        await _f.Controller.ConnectAsync("tiny", "a");

        var e = await Assert.ThrowsAsync<ConflictException>(() => _f.Controller.ConnectAsync("tiny", "b"));

        Assert.Contains("no available addresses", e.Message, StringComparison.Ordinal);
        Assert.Single(await _f.Controller.ListEndpointsAsync());
        Assert.Empty(_f.Kernel.Namespaces[b.Key]);
        Assert.Single(_f.Kernel.Namespaces[a.Key]);
    }

    [Theory]
    [InlineData("CreateEndpoint")]
    [InlineData("Join")]
    [InlineData("Program")]
    public async Task Connect_DriverFails_EverythingUndone(string failOn)
    {
        await _f.CreateNetworkAsync("web", "10.20.0.0/24");
        var sandbox = await _f.Controller.CreateSandboxAsync(new SandboxSpec { Name = "a" });
        _f.Driver.FailOn = failOn;

        await Assert.ThrowsAsync<InvalidOperationException>(() => _f.Controller.ConnectAsync("web", "a"));

        Assert.Empty(await _f.Store.ListAsync("endpoints/"));
        Assert.Empty(_f.Kernel.DriverEndpoints);
        Assert.Empty(_f.Kernel.Namespaces[sandbox.Key]);
        Assert.Empty(_f.Kernel.Published);
        _f.Driver.FailOn = null;
        Assert.Equal("10.20.0.2/24", (await _f.Controller.ConnectAsync("web", "a")).IPv4Address.ToString());
    }

    [Fact]
    public async Task Connect_PublishedPorts_ProgrammedAndRevokedOnDisconnect()
    {
        await _f.CreateNetworkAsync("web", "10.20.0.0/24");
        await _f.Controller.CreateSandboxAsync(new SandboxSpec { Name = "a" });

        var endpoint = await _f.Controller.ConnectAsync("web", "a", new EndpointSpec
        {
            PublishedPorts = [new PortBinding { ContainerPort = 80, HostPort = 8080 }, new PortBinding { ContainerPort = 53, Protocol = PortProtocol.Udp }],
        });

        Assert.Equal([8080, 30053], endpoint.PublishedPorts.Select(p => p.HostPort).ToArray());
        Assert.True(_f.Kernel.Published.ContainsKey(endpoint.Id));
        await _f.Controller.DisconnectAsync("web", "a");
        Assert.False(_f.Kernel.Published.ContainsKey(endpoint.Id));
    }

    [Fact]
    public async Task Connect_BadPort_InvalidParameter()
    {
        await _f.CreateNetworkAsync("web", "10.20.0.0/24");
        await _f.Controller.CreateSandboxAsync(new SandboxSpec { Name = "a" });

        var e = await Assert.ThrowsAsync<InvalidParameterException>(() => _f.Controller.ConnectAsync("web", "a", new EndpointSpec { PublishedPorts = [new PortBinding { ContainerPort = 70000 }] }));

        Assert.Equal("publish", e.Field);
    }

    [Fact]
    public async Task Disconnect_ReleasesAddress_AndRaisesLeft()
    {
        await _f.CreateNetworkAsync("web", "10.20.0.0/24");
        await _f.Controller.CreateSandboxAsync(new SandboxSpec { Name = "a" });
        await _f.Controller.CreateSandboxAsync(new SandboxSpec { Name = "b" });
        var events = new List<EndpointEvent>();
        using var subscription = _f.Controller.SubscribeEndpointEvents(events.Add);

        var first = await _f.Controller.ConnectAsync("web", "a");
        await _f.Controller.DisconnectAsync("web", "a");
        var second = await _f.Controller.ConnectAsync("web", "b");

        Assert.Equal(first.IPv4Address, second.IPv4Address);
        Assert.Equal([EndpointEventKind.Joined, EndpointEventKind.Left, EndpointEventKind.Joined], events.Select(e => e.Kind).ToArray());
        Assert.Equal("a", events[1].Endpoint.SandboxName);
    }

    [Fact]
    public async Task Disconnect_DriverFails_EndpointKept_ForceRemovesIt()
    {
        await _f.CreateNetworkAsync("web", "10.20.0.0/24");
        await _f.Controller.CreateSandboxAsync(new SandboxSpec { Name = "a" });
        await _f.Controller.ConnectAsync("web", "a");
        _f.Driver.FailOn = "Leave";

        await Assert.ThrowsAsync<TeardownException>(() => _f.Controller.DisconnectAsync("web", "a"));
        Assert.Single(await _f.Store.ListAsync("endpoints/"));

        await _f.Controller.DisconnectAsync("web", "a", force: true);
        Assert.Empty(await _f.Store.ListAsync("endpoints/"));
    }

    [Fact]
    public async Task DeleteSandbox_WithEndpoints_ForbiddenUnlessForced()
    {
        await _f.CreateNetworkAsync("web", "10.20.0.0/24");
        var sandbox = await _f.Controller.CreateSandboxAsync(new SandboxSpec { Name = "a" });
        await _f.Controller.ConnectAsync("web", "a");

        await Assert.ThrowsAsync<ForbiddenException>(() => _f.Controller.DeleteSandboxAsync("a"));
        await _f.Controller.DeleteSandboxAsync("a", force: true);

        Assert.False(_f.Kernel.NamespaceExists(sandbox.Key));
        Assert.Empty(await _f.Store.ListAsync("endpoints/"));
        Assert.Empty(await _f.Store.ListAsync("sandboxes/"));
        await _f.Controller.DeleteNetworkAsync("web");
    }

    [Fact]
    public async Task RenameSandbox_ChangesDnsNamesAndRaisesRenamed()
    {
        await _f.CreateNetworkAsync("web", "10.20.0.0/24");
        await _f.Controller.CreateSandboxAsync(new SandboxSpec { Name = "old" });
        await _f.Controller.ConnectAsync("web", "old");
        var events = new List<EndpointEvent>();
        using var subscription = _f.Controller.SubscribeEndpointEvents(events.Add);

        await _f.Controller.RenameSandboxAsync("old", "new");

        var e = Assert.Single(events);
        Assert.Equal(EndpointEventKind.Renamed, e.Kind);
        Assert.Equal("old", e.OldName);
        Assert.Equal(["new"], e.Endpoint.DnsNames);
        await Assert.ThrowsAsync<NotFoundException>(() => _f.Controller.GetSandboxAsync("old"));
        await _f.Controller.CreateSandboxAsync(new SandboxSpec { Name = "old" });
    }

    [Fact]
    public async Task EventSubscriberThrows_ConnectStillSucceeds()
    {
        await _f.CreateNetworkAsync("web", "10.20.0.0/24");
        await _f.Controller.CreateSandboxAsync(new SandboxSpec { Name = "a" });
        using var subscription = _f.Controller.SubscribeEndpointEvents(_ => throw new InvalidOperationException("bad subscriber"));

        var endpoint = await _f.Controller.ConnectAsync("web", "a");

        Assert.NotNull(endpoint.IPv4Address);
    }
}

public sealed class EndpointPlanTests
{
    [Theory]
    [InlineData("has space")]
    [InlineData("a..b")]
    [InlineData("ünïcode")]
    public void BadAlias_InvalidParameterNamingAlias(string alias)
    {
        var e = Assert.Throws<InvalidParameterException>(() => EndpointPlan.Create(new EndpointSpec { Aliases = [alias] }));

        Assert.Equal(("alias", alias), (e.Field, e.Value));
    }

    [Fact]
    public void LabelOf64Characters_Rejected_63Accepted()
    {
        Assert.Throws<InvalidParameterException>(() => EndpointPlan.Create(new EndpointSpec { Aliases = [new string('a', 64)] }));
        Assert.Single(EndpointPlan.Create(new EndpointSpec { Aliases = [new string('a', 63)] }).Aliases);
    }

    [Theory]
    [InlineData("01:00:5e:00:00:01", "multicast")]
    [InlineData("02:42:ac", "six hex octets")]
    public void BadMac_InvalidParameter(string mac, string reason)
    {
        var e = Assert.Throws<InvalidParameterException>(() => EndpointPlan.Create(new EndpointSpec { MacAddress = mac }));

        Assert.Equal("mac-address", e.Field);
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }
}
