using System.Net;
using Netstack.Core;
using Netstack.Core.Drivers;
using Netstack.Drivers.Remote.Plugins;
using Netstack.Drivers.Remote.Tests.Fakes;
using Xunit;

namespace Netstack.Drivers.Remote.Tests.Drivers;

/// <summary>Every INetworkDriver method against a fake plugin: what goes on the wire and what comes back.</summary>
public sealed class RemoteNetworkDriverTests
{
    private const string NetworkId = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private const string EndpointId = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";

    [Fact]
    public async Task Initialize_GlobalScopeAndConnectivity_BecomeCapabilities()
    {
        await using var lab = await RemoteLab.StartAsync();
        lab.Plugin.Reply("NetworkDriver.GetCapabilities", new { Scope = "global", ConnectivityScope = "global" });

        await lab.Driver.InitializeAsync(CancellationToken.None);

        Assert.Equal("fake", lab.Driver.Type);
        Assert.Equal(NetworkScope.Global, lab.Driver.Capabilities.DataScope);
        Assert.Equal(NetworkScope.Global, lab.Driver.Capabilities.ConnectivityScope);
    }

    [Fact]
    public async Task Initialize_NoConnectivityScope_IsTheDataScope()
    {
        await using var lab = await RemoteLab.StartAsync();
        lab.Plugin.Reply("NetworkDriver.GetCapabilities", new { Scope = "Global" });

        await lab.Driver.InitializeAsync(CancellationToken.None);

        Assert.Equal(NetworkScope.Global, lab.Driver.Capabilities.ConnectivityScope);
    }

    [Fact]
    public async Task Initialize_UnknownScope_BadAnswerNamingTheField()
    {
        await using var lab = await RemoteLab.StartAsync();
        lab.Plugin.Reply("NetworkDriver.GetCapabilities", new { Scope = "galactic" });

        var e = await Assert.ThrowsAsync<UnavailableException>(() => lab.Driver.InitializeAsync(CancellationToken.None));

        Assert.Contains("\"Scope\" is \"galactic\"", e.Message, StringComparison.Ordinal);
        Assert.False(lab.Driver.IsReady);
    }

    [Fact]
    public async Task CreateNetwork_SendsIdPoolsAndDockersOptions()
    {
        await using var lab = await RemoteLab.StartAsync();

        await lab.Driver.CreateNetworkAsync(new DriverNetwork
        {
            NetworkId = NetworkId,
            Name = "pn",
            Options = new Dictionary<string, string> { ["foo"] = "bar" },
            Internal = true,
            EnableIPv6 = true,
            IPv4 = [new DriverIpamData
            {
                Subnet = IPNetwork.Parse("10.60.0.0/24"),
                Gateway = CidrAddress.Parse("10.60.0.1/24"),
                AuxAddresses = new Dictionary<string, IPAddress> { ["router"] = IPAddress.Parse("10.60.0.254") },
            }],
            IPv6 = [new DriverIpamData { Subnet = IPNetwork.Parse("fd00:60::/64") }],
        }, CancellationToken.None);

        var body = Assert.Single(lab.Plugin.CallsOf("NetworkDriver.CreateNetwork")).Body;
        Assert.Equal(NetworkId, body.GetProperty("NetworkID").GetString());
        var options = body.GetProperty("Options");
        Assert.Equal("bar", options.GetProperty("com.docker.network.generic").GetProperty("foo").GetString());
        Assert.True(options.GetProperty("com.docker.network.enable_ipv6").GetBoolean());
        Assert.True(options.GetProperty("com.docker.network.internal").GetBoolean());
        var v4 = Assert.Single(body.GetProperty("IPv4Data").EnumerateArray());
        Assert.Equal("10.60.0.0/24", v4.GetProperty("Pool").GetString());
        Assert.Equal("10.60.0.1/24", v4.GetProperty("Gateway").GetString());
        Assert.Equal("LocalDefault", v4.GetProperty("AddressSpace").GetString());
        Assert.Equal("10.60.0.254/24", v4.GetProperty("AuxAddresses").GetProperty("router").GetString());
        Assert.Equal("fd00:60::/64", Assert.Single(body.GetProperty("IPv6Data").EnumerateArray()).GetProperty("Pool").GetString());
        // Activation and capabilities came first, once.
        Assert.Equal(["Plugin.Activate", "NetworkDriver.GetCapabilities", "NetworkDriver.CreateNetwork"], lab.Plugin.Calls.Select(c => c.Method));
    }

    [Fact]
    public async Task CreateNetwork_PluginRefuses_PluginErrorWithItsText()
    {
        await using var lab = await RemoteLab.StartAsync();
        lab.Plugin.Reply("NetworkDriver.CreateNetwork", new { Err = "option foo is not supported" });

        var e = await Assert.ThrowsAsync<PluginErrorException>(() => lab.Driver.CreateNetworkAsync(new DriverNetwork { NetworkId = NetworkId, Name = "pn" }, CancellationToken.None));

        Assert.Equal(ErrorCategory.InvalidParameter, e.Category);
        Assert.Equal("option foo is not supported", e.PluginError);
        Assert.Contains("plugin \"fake\"", e.Message, StringComparison.Ordinal);
        Assert.Contains("NetworkDriver.CreateNetwork", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateEndpoint_SendsInterface_AndAdoptsThePluginsMac()
    {
        await using var lab = await RemoteLab.StartAsync();
        lab.Plugin.Reply("NetworkDriver.CreateEndpoint", new { Interface = new { MacAddress = "02:AA:BB:CC:DD:EE" } });

        var result = await lab.Driver.CreateEndpointAsync(new DriverEndpoint
        {
            NetworkId = NetworkId,
            EndpointId = EndpointId,
            IPv4Address = CidrAddress.Parse("10.60.0.2/24"),
            IPv6Address = CidrAddress.Parse("fd00:60::2/64"),
            Options = new Dictionary<string, string> { ["k"] = "v" },
        }, CancellationToken.None);

        Assert.Equal("02:aa:bb:cc:dd:ee", result.MacAddress);
        var body = Assert.Single(lab.Plugin.CallsOf("NetworkDriver.CreateEndpoint")).Body;
        Assert.Equal(EndpointId, body.GetProperty("EndpointID").GetString());
        Assert.Equal("10.60.0.2/24", body.GetProperty("Interface").GetProperty("Address").GetString());
        Assert.Equal("fd00:60::2/64", body.GetProperty("Interface").GetProperty("AddressIPv6").GetString());
        Assert.False(body.GetProperty("Interface").TryGetProperty("MacAddress", out _));
        Assert.Equal("v", body.GetProperty("Options").GetProperty("k").GetString());
    }

    [Fact]
    public async Task CreateEndpoint_NoMacFromEitherSide_DockersMacFromTheIPv4Address()
    {
        await using var lab = await RemoteLab.StartAsync();

        var result = await lab.Driver.CreateEndpointAsync(new DriverEndpoint
        {
            NetworkId = NetworkId,
            EndpointId = EndpointId,
            IPv4Address = CidrAddress.Parse("10.60.0.2/24"),
        }, CancellationToken.None);

        Assert.Equal("02:42:0a:3c:00:02", result.MacAddress);
    }

    [Theory]
    [InlineData("""{"Interface": {"Address": "10.60.0.9/24"}}""", "Address")]
    [InlineData("""{"Interface": {"MacAddress": "02:00:00:00:00:09"}}""", "MAC")]
    [InlineData("""{"Interface": {"MacAddress": "zz"}}""", "MacAddress")]
    public async Task CreateEndpoint_PluginChangesWhatWasGiven_RefusedAndEndpointDeletedAgain(string answer, string named)
    {
        await using var lab = await RemoteLab.StartAsync();
        lab.Plugin.ReplyRaw("NetworkDriver.CreateEndpoint", 200, FakePlugin.MediaType, answer);

        var e = await Assert.ThrowsAsync<UnavailableException>(() => lab.Driver.CreateEndpointAsync(new DriverEndpoint
        {
            NetworkId = NetworkId,
            EndpointId = EndpointId,
            IPv4Address = CidrAddress.Parse("10.60.0.2/24"),
            MacAddress = answer.Contains("zz", StringComparison.Ordinal) ? string.Empty : "02:42:0a:3c:00:02",
        }, CancellationToken.None));

        Assert.Contains(named, e.Message, StringComparison.Ordinal);
        Assert.Equal(EndpointId, Assert.Single(lab.Plugin.CallsOf("NetworkDriver.DeleteEndpoint")).Body.GetProperty("EndpointID").GetString());
    }

    [Fact]
    public async Task DeleteEndpoint_UnknownAndRefused_Succeeds_ButKnownAndRefused_Throws()
    {
        await using var lab = await RemoteLab.StartAsync();
        lab.Plugin.Reply("NetworkDriver.DeleteEndpoint", new { Err = "no such endpoint" });

        // Never created through this driver: the refusal means "already gone".
        await lab.Driver.DeleteEndpointAsync(NetworkId, EndpointId, CancellationToken.None);

        await lab.Driver.CreateEndpointAsync(new DriverEndpoint { NetworkId = NetworkId, EndpointId = EndpointId }, CancellationToken.None);
        var e = await Assert.ThrowsAsync<PluginErrorException>(() => lab.Driver.DeleteEndpointAsync(NetworkId, EndpointId, CancellationToken.None));
        Assert.Equal("no such endpoint", e.PluginError);
        Assert.Equal(2, lab.Plugin.CallsOf("NetworkDriver.DeleteEndpoint").Count);
    }

    [Fact]
    public async Task DeleteNetwork_SendsTheId_AndAgainSucceeds()
    {
        await using var lab = await RemoteLab.StartAsync();
        await lab.Driver.CreateNetworkAsync(new DriverNetwork { NetworkId = NetworkId, Name = "pn" }, CancellationToken.None);

        await lab.Driver.DeleteNetworkAsync(NetworkId, CancellationToken.None);
        lab.Plugin.Reply("NetworkDriver.DeleteNetwork", new { Err = "unknown network" });
        await lab.Driver.DeleteNetworkAsync(NetworkId, CancellationToken.None);

        Assert.All(lab.Plugin.CallsOf("NetworkDriver.DeleteNetwork"), c => Assert.Equal(NetworkId, c.Body.GetProperty("NetworkID").GetString()));
    }

    [Fact]
    public async Task ProgramExternalConnectivity_SendsDockersPortMap()
    {
        await using var lab = await RemoteLab.StartAsync();
        PortBinding[] bindings =
        [
            new() { ContainerPort = 80, HostPort = 8080 },
            new() { Protocol = PortProtocol.Udp, ContainerPort = 53, HostPort = 5353, HostIp = IPAddress.Parse("127.0.0.1") },
        ];

        var programmed = await lab.Driver.ProgramExternalConnectivityAsync(new ExternalConnectivityRequest { NetworkId = NetworkId, EndpointId = EndpointId, PortBindings = bindings }, CancellationToken.None);

        Assert.Equal(bindings, programmed);
        var options = Assert.Single(lab.Plugin.CallsOf("NetworkDriver.ProgramExternalConnectivity")).Body.GetProperty("Options");
        var map = options.GetProperty("com.docker.network.portmap").EnumerateArray().ToArray();
        Assert.Equal(6, map[0].GetProperty("Proto").GetInt32());
        Assert.Equal(80, map[0].GetProperty("Port").GetInt32());
        Assert.Equal(8080, map[0].GetProperty("HostPort").GetInt32());
        Assert.Equal(17, map[1].GetProperty("Proto").GetInt32());
        Assert.Equal("127.0.0.1", map[1].GetProperty("HostIP").GetString());
        Assert.Equal(2, options.GetProperty("com.docker.network.endpoint.exposedports").GetArrayLength());
    }

    [Fact]
    public async Task ExternalConnectivity_PluginWithoutTheMethods_NothingPublished_NoError()
    {
        await using var lab = await RemoteLab.StartAsync();
        lab.Plugin.ReplyRaw("NetworkDriver.ProgramExternalConnectivity", 404, "text/plain", "404 page not found");
        lab.Plugin.ReplyRaw("NetworkDriver.RevokeExternalConnectivity", 404, "text/plain", "404 page not found");

        var programmed = await lab.Driver.ProgramExternalConnectivityAsync(new ExternalConnectivityRequest
        {
            NetworkId = NetworkId,
            EndpointId = EndpointId,
            PortBindings = [new PortBinding { ContainerPort = 80, HostPort = 8080 }],
        }, CancellationToken.None);
        await lab.Driver.RevokeExternalConnectivityAsync(NetworkId, EndpointId, CancellationToken.None);

        Assert.Empty(programmed);
        Assert.Single(lab.Plugin.CallsOf("NetworkDriver.RevokeExternalConnectivity"));
    }

    [Fact]
    public async Task Leave_NotJoined_AsksThePlugin_AndARefusalIsAlreadyLeft()
    {
        await using var lab = await RemoteLab.StartAsync();
        lab.Plugin.Reply("NetworkDriver.Leave", new { Err = "endpoint not joined" });

        await lab.Driver.LeaveAsync(NetworkId, EndpointId, CancellationToken.None);

        Assert.Equal(EndpointId, Assert.Single(lab.Plugin.CallsOf("NetworkDriver.Leave")).Body.GetProperty("EndpointID").GetString());
    }

    [Theory]
    [InlineData("""{}""", "InterfaceName")]
    [InlineData("""{"InterfaceName": {"SrcName": "bad name with spaces"}}""", "SrcName")]
    [InlineData("""{"InterfaceName": {"SrcName": "veth0"}, "Gateway": "fd00::1"}""", "\"Gateway\" \"fd00::1\" is not an IPv4")]
    [InlineData("""{"InterfaceName": {"SrcName": "veth0"}, "StaticRoutes": [{"Destination": "10.9.0.0/16", "RouteType": 0}]}""", "StaticRoutes\"[0].NextHop")]
    [InlineData("""{"InterfaceName": {"SrcName": "veth0"}, "StaticRoutes": [{"Destination": "10.9.0.0/16", "RouteType": 7}]}""", "RouteType is 7")]
    [InlineData("""{"InterfaceName": {"SrcName": "veth0"}, "StaticRoutes": [{"Destination": "nowhere", "RouteType": 1}]}""", "Destination \"nowhere\"")]
    public async Task Join_BadAnswer_NothingMoved_PluginToldToLeave(string answer, string named)
    {
        await using var lab = await RemoteLab.StartAsync();
        lab.Plugin.ReplyRaw("NetworkDriver.Join", 200, FakePlugin.MediaType, answer);

        var e = await Assert.ThrowsAsync<UnavailableException>(() => lab.Driver.JoinAsync(Join(), CancellationToken.None));

        Assert.Contains("NetworkDriver.Join", e.Message, StringComparison.Ordinal);
        Assert.Contains(named, e.Message, StringComparison.Ordinal);
        Assert.Single(lab.Plugin.CallsOf("NetworkDriver.Leave"));
    }

    [Fact]
    public async Task Join_SendsIdsAndSandboxKey_MissingSandbox_NotFound_PluginToldToLeave()
    {
        await using var lab = await RemoteLab.StartAsync();
        lab.Plugin.Reply("NetworkDriver.Join", new { InterfaceName = new { SrcName = "veth0", DstPrefix = "eth" } });

        var e = await Assert.ThrowsAsync<NotFoundException>(() => lab.Driver.JoinAsync(Join(), CancellationToken.None));

        Assert.Contains("/run/netstack/netns/no-such-sandbox", e.Message, StringComparison.Ordinal);
        var body = Assert.Single(lab.Plugin.CallsOf("NetworkDriver.Join")).Body;
        Assert.Equal(NetworkId, body.GetProperty("NetworkID").GetString());
        Assert.Equal(EndpointId, body.GetProperty("EndpointID").GetString());
        Assert.Equal("/run/netstack/netns/no-such-sandbox", body.GetProperty("SandboxKey").GetString());
        Assert.Single(lab.Plugin.CallsOf("NetworkDriver.Leave"));
    }

    [Fact]
    public async Task Reconcile_ReturnsAnEmptyReport_AndMakesTheStoredObjectsKnown()
    {
        await using var lab = await RemoteLab.StartAsync();
        lab.Plugin.Reply("NetworkDriver.DeleteEndpoint", new { Err = "busy" });

        var report = await lab.Driver.ReconcileAsync(new DriverReconcileRequest
        {
            Networks = [new DriverNetwork { NetworkId = NetworkId, Name = "pn" }],
            Endpoints = [new DriverEndpointState { Endpoint = new DriverEndpoint { NetworkId = NetworkId, EndpointId = EndpointId } }],
        }, CancellationToken.None);

        Assert.Empty(report.Recreated);
        Assert.Empty(report.Removed);
        Assert.Empty(report.Errors);
        // Known from the store now: the plugin's refusal is a real error.
        await Assert.ThrowsAsync<PluginErrorException>(() => lab.Driver.DeleteEndpointAsync(NetworkId, EndpointId, CancellationToken.None));
        Assert.DoesNotContain(lab.Plugin.Calls, c => c.Method is "NetworkDriver.CreateNetwork" or "NetworkDriver.CreateEndpoint");
    }

    internal static JoinRequest Join(string sandboxKey = "/run/netstack/netns/no-such-sandbox") => new()
    {
        NetworkId = NetworkId,
        EndpointId = EndpointId,
        SandboxKey = sandboxKey,
        InterfaceName = "eth0",
        MacAddress = "02:42:0a:3c:00:02",
        IPv4Address = CidrAddress.Parse("10.60.0.2/24"),
    };
}
