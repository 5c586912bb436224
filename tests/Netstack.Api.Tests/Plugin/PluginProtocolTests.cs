using System.Text.Json;
using Netstack.Core;
using Netstack.Core.Drivers;
using Netstack.Daemon.Plugin;
using Xunit;

namespace Netstack.Api.Tests.Plugin;

/// <summary>
/// Docker's plugin protocol as netstackd serves it, over a real unix socket: activation, a network's
/// whole life (IPAM, create, endpoint, join hand-over, ports, leave, delete), idempotent deletes,
/// the listener's separation from the engine API, and state that survives a restart.
/// </summary>
public sealed class PluginProtocolTests : IAsyncLifetime
{
    internal const string NetworkId = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    internal const string EndpointId = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";
    internal const string OtherId = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

    private PluginFixture _plugin = null!;

    public async Task InitializeAsync() => _plugin = await PluginFixture.StartAsync();

    public async Task DisposeAsync() => await _plugin.DisposeAsync();

    internal static object CreateNetworkBody(string id = NetworkId, string pool = "10.60.0.0/24", string gateway = "10.60.0.1/24") => new Dictionary<string, object?>
    {
        ["NetworkID"] = id,
        ["Options"] = new Dictionary<string, object?>
        {
            ["com.docker.network.enable_ipv6"] = false,
            ["com.docker.network.generic"] = new Dictionary<string, object?> { ["com.docker.network.driver.mtu"] = "1400" },
        },
        ["IPv4Data"] = new[] { new Dictionary<string, object?> { ["AddressSpace"] = "NetstackPluginLocal", ["Pool"] = pool, ["Gateway"] = gateway, ["AuxAddresses"] = new Dictionary<string, string> { ["router"] = "10.60.0.250/24" } } },
        ["IPv6Data"] = Array.Empty<object>(),
    };

    internal static object EndpointBody(string network = NetworkId, string endpoint = EndpointId) => new Dictionary<string, object?> { ["NetworkID"] = network, ["EndpointID"] = endpoint };

    [Fact]
    public async Task Activate_ImplementsNetworkDriverAndIpamDriver_WithThePluginContentType()
    {
        var (status, contentType, body) = await _plugin.CallAsync("Plugin.Activate", "");

        Assert.Equal(200, status);
        Assert.Equal("application/vnd.docker.plugins.v1.2+json", contentType);
        Assert.Equal(["NetworkDriver", "IpamDriver"], body.GetProperty("Implements").EnumerateArray().Select(e => e.GetString()!).ToArray());
    }

    [Fact]
    public async Task Capabilities_AreTheDefaultDriversScopes()
    {
        var (_, _, network) = await _plugin.CallAsync("NetworkDriver.GetCapabilities", "");
        var (_, _, ipam) = await _plugin.CallAsync("IpamDriver.GetCapabilities", "");
        var (_, _, spaces) = await _plugin.CallAsync("IpamDriver.GetDefaultAddressSpaces", "");

        Assert.Equal("local", network.GetProperty("Scope").GetString());
        Assert.Equal("local", network.GetProperty("ConnectivityScope").GetString());
        Assert.False(ipam.GetProperty("RequiresMACAddress").GetBoolean());
        Assert.Equal("NetstackPluginLocal", spaces.GetProperty("LocalDefaultAddressSpace").GetString());
        Assert.Equal("NetstackPluginGlobal", spaces.GetProperty("GlobalDefaultAddressSpace").GetString());
    }

    [Fact]
    public async Task NetworkLifecycle_IpamCreateEndpointJoinPortsLeaveDelete_ReachesTheDriverAndLeavesNothing()
    {
        var (poolStatus, _, pool) = await _plugin.CallAsync("IpamDriver.RequestPool", new { AddressSpace = "NetstackPluginLocal", Pool = "10.60.0.0/24", V6 = false });
        Assert.Equal(200, poolStatus);
        var poolId = pool.GetProperty("PoolID").GetString()!;
        Assert.Equal("10.60.0.0/24", pool.GetProperty("Pool").GetString());
        var (_, _, gateway) = await _plugin.CallAsync("IpamDriver.RequestAddress", new { PoolID = poolId, Address = "", Options = new Dictionary<string, string> { ["RequestAddressType"] = "com.docker.network.gateway" } });
        Assert.Equal("10.60.0.1/24", gateway.GetProperty("Address").GetString());
        var (_, _, address) = await _plugin.CallAsync("IpamDriver.RequestAddress", new { PoolID = poolId, Address = "" });
        Assert.Equal("10.60.0.2/24", address.GetProperty("Address").GetString());

        var (createStatus, _, created) = await _plugin.CallAsync("NetworkDriver.CreateNetwork", CreateNetworkBody());
        Assert.Equal(200, createStatus);
        Assert.False(created.TryGetProperty("Err", out _));
        var network = _plugin.Driver.Networks[NetworkId];
        Assert.Equal("10.60.0.0/24", network.IPv4.Single().Subnet.ToString());
        Assert.Equal("10.60.0.1/24", network.IPv4.Single().Gateway.ToString());
        Assert.Equal("10.60.0.250", network.IPv4.Single().AuxAddresses["router"].ToString());
        Assert.Equal("1400", network.Options["com.docker.network.driver.mtu"]);

        var (_, _, endpoint) = await _plugin.CallAsync("NetworkDriver.CreateEndpoint", new { NetworkID = NetworkId, EndpointID = EndpointId, Interface = new { Address = "10.60.0.2/24", AddressIPv6 = "", MacAddress = "" } });
        // Docker gave no MAC: the answer carries the one the driver chose, and nothing else.
        Assert.Equal("02:42:0a:3c:00:02", endpoint.GetProperty("Interface").GetProperty("MacAddress").GetString());
        Assert.False(endpoint.GetProperty("Interface").TryGetProperty("Address", out _));
        Assert.Equal("10.60.0.2/24", _plugin.Driver.Endpoints[EndpointId].IPv4Address.ToString());

        var (_, _, join) = await _plugin.CallAsync("NetworkDriver.Join", new { NetworkID = NetworkId, EndpointID = EndpointId, SandboxKey = "/var/run/docker/netns/1234", Options = new { } });
        Assert.Equal("nsc" + EndpointId[..12], join.GetProperty("InterfaceName").GetProperty("SrcName").GetString());
        Assert.Equal("eth", join.GetProperty("InterfaceName").GetProperty("DstPrefix").GetString());
        Assert.Equal("10.60.0.1", join.GetProperty("Gateway").GetString());
        var route = join.GetProperty("StaticRoutes").EnumerateArray().Single();
        Assert.Equal("192.0.2.0/24", route.GetProperty("Destination").GetString());
        Assert.Equal(0, route.GetProperty("RouteType").GetInt32());
        Assert.Equal("10.60.0.1", route.GetProperty("NextHop").GetString());
        // dockerd moves the interface itself: the driver was asked for a hand-over, not for its sandbox.
        Assert.True(_plugin.Driver.Joined[EndpointId].IsHandOver);

        var ports = new Dictionary<string, object?>
        {
            ["NetworkID"] = NetworkId,
            ["EndpointID"] = EndpointId,
            ["Options"] = new Dictionary<string, object?>
            {
                ["com.docker.network.portmap"] = new[] { new { Proto = 6, IP = "", Port = 80, HostIP = "", HostPort = 8080, HostPortEnd = 8080 }, new { Proto = 17, IP = "", Port = 53, HostIP = "127.0.0.1", HostPort = 0, HostPortEnd = 0 } },
                ["com.docker.network.endpoint.exposedports"] = new[] { new { Proto = 6, Port = 80 } },
            },
        };
        var (programStatus, _, _) = await _plugin.CallAsync("NetworkDriver.ProgramExternalConnectivity", ports);
        Assert.Equal(200, programStatus);
        Assert.Equal(["8080:80/TCP", "127.0.0.1:40053:53/UDP"], _plugin.Driver.Ports[EndpointId].Select(p => p.ToString()).ToArray());
        var (_, _, info) = await _plugin.CallAsync("NetworkDriver.EndpointOperInfo", EndpointBody());
        Assert.Equal("bridge", info.GetProperty("Value").GetProperty("netstack.driver").GetString());

        foreach (var call in new[] { "RevokeExternalConnectivity", "Leave", "DeleteEndpoint" })
        {
            var (status, _, body) = await _plugin.CallAsync("NetworkDriver." + call, EndpointBody());
            Assert.True(status == 200, $"{call}: {body}");
        }
        var (deleteStatus, _, _) = await _plugin.CallAsync("NetworkDriver.DeleteNetwork", new { NetworkID = NetworkId });
        Assert.Equal(200, deleteStatus);
        await _plugin.CallAsync("IpamDriver.ReleaseAddress", new { PoolID = poolId, Address = "10.60.0.2" });
        await _plugin.CallAsync("IpamDriver.ReleaseAddress", new { PoolID = poolId, Address = "10.60.0.1" });
        var (releaseStatus, _, _) = await _plugin.CallAsync("IpamDriver.ReleasePool", new { PoolID = poolId });
        Assert.Equal(200, releaseStatus);

        Assert.Empty(_plugin.Driver.Networks);
        Assert.Empty(_plugin.Driver.Endpoints);
        Assert.Empty(_plugin.Driver.Joined);
        Assert.Empty(_plugin.Driver.Ports);
        Assert.Empty(await _plugin.Store.ListAsync("plugin/"));
        Assert.Empty(await _plugin.Store.ListAsync("ipam/NetstackPluginLocal/addresses/"));
    }

    [Fact]
    public async Task CreateEndpoint_WithDockersMac_AnswersNoInterface()
    {
        await _plugin.CallAsync("NetworkDriver.CreateNetwork", CreateNetworkBody());

        var (status, _, body) = await _plugin.CallAsync("NetworkDriver.CreateEndpoint", new { NetworkID = NetworkId, EndpointID = EndpointId, Interface = new { Address = "10.60.0.9/24", MacAddress = "02:42:AA:BB:CC:DD" } });

        Assert.Equal(200, status);
        Assert.False(body.TryGetProperty("Interface", out _));
        Assert.Equal("02:42:aa:bb:cc:dd", _plugin.Driver.Endpoints[EndpointId].MacAddress);
    }

    [Theory]
    [InlineData("NetworkDriver.Leave")]
    [InlineData("NetworkDriver.DeleteEndpoint")]
    [InlineData("NetworkDriver.RevokeExternalConnectivity")]
    [InlineData("NetworkDriver.DeleteNetwork")]
    public async Task TeardownOfUnknownIds_Succeeds_AndReachesNoDriver(string call)
    {
        var (status, _, body) = await _plugin.CallAsync(call, EndpointBody(OtherId, OtherId));

        Assert.Equal(200, status);
        Assert.False(body.TryGetProperty("Err", out _));
        Assert.DoesNotContain(_plugin.Driver.Calls, c => !c.StartsWith("Reconcile", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Teardown_RepeatedAsDockerdDoes_SucceedsEachTime()
    {
        await _plugin.CallAsync("NetworkDriver.CreateNetwork", CreateNetworkBody());
        await _plugin.CallAsync("NetworkDriver.CreateEndpoint", new { NetworkID = NetworkId, EndpointID = EndpointId, Interface = new { Address = "10.60.0.2/24" } });
        await _plugin.CallAsync("NetworkDriver.Join", EndpointBody());

        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(200, (await _plugin.CallAsync("NetworkDriver.Leave", EndpointBody())).Status);
            Assert.Equal(200, (await _plugin.CallAsync("NetworkDriver.DeleteEndpoint", EndpointBody())).Status);
        }

        Assert.Empty(_plugin.Driver.Endpoints);
        Assert.Empty(await _plugin.Store.ListAsync("plugin/endpoints/"));
    }

    [Fact]
    public async Task PluginSocket_ServesNoEngineRoutes_AndTheApiSocketNoPluginCalls()
    {
        using var onPlugin = await _plugin.Http.GetAsync("/_ping");
        using var api = PluginFixture.NewClient(_plugin.ApiSocket);
        using var onApi = await api.PostAsync("/Plugin.Activate", null);

        Assert.Equal(405, (int)onPlugin.StatusCode);
        Assert.Contains("\"Err\"", await onPlugin.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(404, (int)onApi.StatusCode);
        Assert.DoesNotContain("Implements", await onApi.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownCall_Is404WithErr()
    {
        var (status, _, body) = await _plugin.CallAsync("NetworkDriver.AllocateNetwork", "{}");

        Assert.Equal(404, status);
        Assert.Contains("NetworkDriver.AllocateNetwork", body.GetProperty("Err").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void PluginSocket_HasMode0660()
    {
        Assert.Equal(
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite,
            File.GetUnixFileMode(_plugin.PluginSocket));
    }

    [Fact]
    public async Task Stop_RemovesThePluginSocket()
    {
        Assert.True(File.Exists(_plugin.PluginSocket));

        await _plugin.StopAsync();

        Assert.False(File.Exists(_plugin.PluginSocket));
    }

    [Fact]
    public async Task State_SurvivesARestart_AndTheJoinedEndpointCanLeaveAndGo()
    {
        await _plugin.CallAsync("NetworkDriver.CreateNetwork", CreateNetworkBody());
        await _plugin.CallAsync("NetworkDriver.CreateEndpoint", new { NetworkID = NetworkId, EndpointID = EndpointId, Interface = new { Address = "10.60.0.2/24" } });
        await _plugin.CallAsync("NetworkDriver.Join", EndpointBody());

        await _plugin.RestartAsync();
        var (infoStatus, _, info) = await _plugin.CallAsync("NetworkDriver.EndpointOperInfo", EndpointBody());

        Assert.Equal(200, infoStatus);
        Assert.Equal("02:42:0a:3c:00:02", info.GetProperty("Value").GetProperty("com.docker.network.endpoint.macaddress").GetString());
        Assert.Equal(200, (await _plugin.CallAsync("NetworkDriver.Leave", EndpointBody())).Status);
        Assert.Contains("Leave " + EndpointId, _plugin.Driver.Calls);
        Assert.Equal(200, (await _plugin.CallAsync("NetworkDriver.DeleteEndpoint", EndpointBody())).Status);
        Assert.Equal(200, (await _plugin.CallAsync("NetworkDriver.DeleteNetwork", new { NetworkID = NetworkId })).Status);
        Assert.Contains("DeleteNetwork " + NetworkId, _plugin.Driver.Calls);
        Assert.Empty(await _plugin.Store.ListAsync("plugin/"));
    }

    [Fact]
    public async Task DamagedStoredRecord_IsSkipped_TheOthersLoad()
    {
        await _plugin.CallAsync("NetworkDriver.CreateNetwork", CreateNetworkBody());
        await _plugin.CallAsync("NetworkDriver.CreateEndpoint", new { NetworkID = NetworkId, EndpointID = EndpointId, Interface = new { Address = "10.60.0.2/24" } });
        await _plugin.Store.PutAsync("plugin/networks/" + OtherId, "{not json"u8.ToArray());

        await _plugin.RestartAsync();
        var (status, _, body) = await _plugin.CallAsync("NetworkDriver.EndpointOperInfo", EndpointBody());

        Assert.True(status == 200, body.ToString());
        Assert.Equal("bridge", body.GetProperty("Value").GetProperty("netstack.driver").GetString());
    }

    [Fact]
    public async Task DriverReconcile_GetsTheControllersNetworksAndThePlugins()
    {
        await _plugin.CallAsync("NetworkDriver.CreateNetwork", CreateNetworkBody());
        await _plugin.CallAsync("NetworkDriver.CreateEndpoint", new { NetworkID = NetworkId, EndpointID = EndpointId, Interface = new { Address = "10.60.0.2/24" } });
        await _plugin.CallAsync("NetworkDriver.Join", EndpointBody());
        await _plugin.RestartAsync();
        var registry = _plugin.Service<IDriverRegistry>();
        Assert.True(registry.TryGetNetworkDriver("bridge", out var bridge));
        var controllers = new DriverNetwork
        {
            NetworkId = OtherId,
            Name = "web",
            IPv4 = [new DriverIpamData { Subnet = System.Net.IPNetwork.Parse("10.20.0.0/24"), Gateway = CidrAddress.Parse("10.20.0.1/24") }],
        };

        // What the controller does at start: one reconcile per driver with its own networks.
        await bridge.ReconcileAsync(new DriverReconcileRequest { Networks = [controllers] }, CancellationToken.None);

        var seen = _plugin.Driver.LastReconcile!;
        Assert.Equal([OtherId, NetworkId], seen.Networks.Select(n => n.NetworkId).ToArray());
        var endpoint = Assert.Single(seen.Endpoints);
        Assert.Equal(EndpointId, endpoint.Endpoint.EndpointId);
        Assert.True(endpoint.Join!.IsHandOver);
    }

    [Fact]
    public async Task UnknownDriverOption_IsRefusedNamingIt()
    {
        var body = new Dictionary<string, object?>
        {
            ["NetworkID"] = NetworkId,
            ["Options"] = new Dictionary<string, object?> { ["com.docker.network.generic"] = new Dictionary<string, string> { ["netstack.driver"] = "weave" } },
            ["IPv4Data"] = new[] { new { Pool = "10.60.0.0/24", Gateway = "10.60.0.1/24" } },
        };

        var (status, _, answer) = await _plugin.CallAsync("NetworkDriver.CreateNetwork", body);

        Assert.Equal(400, status);
        var err = answer.GetProperty("Err").GetString()!;
        Assert.Contains("netstack.driver", err, StringComparison.Ordinal);
        Assert.Contains("\"weave\"", err, StringComparison.Ordinal);
        Assert.Empty(_plugin.Driver.Networks);
    }

    [Fact]
    public async Task CreateNetwork_Repeated_IsOneNetwork()
    {
        await _plugin.CallAsync("NetworkDriver.CreateNetwork", CreateNetworkBody());
        var (status, _, _) = await _plugin.CallAsync("NetworkDriver.CreateNetwork", CreateNetworkBody());

        Assert.Equal(200, status);
        Assert.Single(_plugin.Driver.Calls, c => c.StartsWith("CreateNetwork", StringComparison.Ordinal));
    }

    [Fact]
    public void EveryCallOfDockersProtocol_IsServed()
    {
        string[] expected =
        [
            "/Plugin.Activate",
            "/NetworkDriver.GetCapabilities", "/NetworkDriver.CreateNetwork", "/NetworkDriver.DeleteNetwork",
            "/NetworkDriver.CreateEndpoint", "/NetworkDriver.EndpointOperInfo", "/NetworkDriver.DeleteEndpoint",
            "/NetworkDriver.Join", "/NetworkDriver.Leave", "/NetworkDriver.DiscoverNew", "/NetworkDriver.DiscoverDelete",
            "/NetworkDriver.ProgramExternalConnectivity", "/NetworkDriver.RevokeExternalConnectivity",
            "/IpamDriver.GetCapabilities", "/IpamDriver.GetDefaultAddressSpaces", "/IpamDriver.RequestPool",
            "/IpamDriver.ReleasePool", "/IpamDriver.RequestAddress", "/IpamDriver.ReleaseAddress",
        ];

        Assert.Equal(expected.Order(StringComparer.Ordinal), PluginEndpoint.Paths.Order(StringComparer.Ordinal));
    }
}
