using System.Net;
using Netstack.Core;
using Netstack.Core.Drivers;
using Netstack.Ipam;
using Netstack.Store;
using Xunit;

namespace Netstack.Controller.Tests;

/// <summary>
/// The gateway network (Docker's docker_gwbridge): an "ov" fake driver of global connectivity that
/// gives no gateway (as overlay), a "bridge" fake driver that gives one, and a "lan" fake driver of
/// local connectivity without gateway (it must not trigger the gateway network).
/// </summary>
public sealed class GatewayNetworkTests : IDisposable
{
    private const string GatewayNetwork = "netstack_gwbridge";

    private readonly Setup _s = new(new InMemoryKeyValueStore(), new FakeKernel());
    private readonly ManualResetEventSlim _release = new();

    public void Dispose()
    {
        _release.Set();
        _s.Dispose();
        _release.Dispose();
    }

    [Fact]
    public async Task OverlayJoin_NoGateway_GatewayNetworkCreated_GatewayEndpointHasDefaultRoute()
    {
        await _s.CreateAsync("ov1", "ov", "10.50.0.0/24");
        var sandbox = await _s.Controller.CreateSandboxAsync(new SandboxSpec { Name = "web", ContainerId = new string('c', 64) });

        var overlay = await _s.Controller.ConnectAsync("ov1", "web");

        var gw = await _s.Controller.GetNetworkAsync(GatewayNetwork);
        Assert.Equal("bridge", gw.Driver);
        Assert.Equal(NetworkScope.Local, gw.Scope);
        Assert.False(gw.EnableIPv6);
        Assert.Equal("ns_gwbridge", gw.Options[DockerOptions.BridgeName]);
        Assert.Equal("false", gw.Options[DockerOptions.BridgeEnableIcc]);
        Assert.Equal("true", gw.Options[DockerOptions.BridgeEnableIPMasquerade]);
        var pool = Assert.Single(gw.Ipam.Pools);
        var gatewayEndpoint = Assert.Single(gw.Endpoints);
        Assert.Equal("gateway_cccccccccccc", gatewayEndpoint.Name);
        Assert.Equal("eth0", overlay.InterfaceName);
        Assert.Equal("eth1", gatewayEndpoint.InterfaceName);
        Assert.Empty(gatewayEndpoint.DnsNames);
        Assert.True(gatewayEndpoint.Anonymous);
        Assert.False(overlay.Anonymous);
        Assert.Contains("web", overlay.DnsNames);
        Assert.Equal(pool.Gateway!.Value.Address, _s.Kernel.DefaultGateway(sandbox.Key));
        Assert.Single(_s.Kernel.Find(sandbox.Key, "eth1")!.Routes, r => r.Destination is null);
        Assert.DoesNotContain(_s.Kernel.Find(sandbox.Key, "eth0")!.Routes, r => r.Destination is null);
        Assert.Contains(await _s.Controller.ListNetworksAsync(), n => n.Name == GatewayNetwork);
    }

    [Fact]
    public async Task TwoSandboxes_OneGatewayNetwork_EndpointNamedBySandboxWithoutContainer()
    {
        await _s.CreateAsync("ov1", "ov", "10.50.0.0/24");
        var a = await _s.Controller.CreateSandboxAsync(new SandboxSpec { Name = "a" });
        await _s.Controller.CreateSandboxAsync(new SandboxSpec { Name = "b" });

        await Task.WhenAll(_s.Controller.ConnectAsync("ov1", "a"), _s.Controller.ConnectAsync("ov1", "b"));

        Assert.Equal(1, _s.Bridge.CountCalls("CreateNetwork"));
        var gw = await _s.Controller.GetNetworkAsync(GatewayNetwork);
        Assert.Equal(2, gw.Endpoints.Count);
        Assert.Contains(gw.Endpoints, e => e.Name == "gateway_" + a.Id[..12]);
    }

    [Fact]
    public async Task InternalOverlay_Or_LocalConnectivityWithoutGateway_NoGatewayNetwork()
    {
        await _s.Controller.CreateNetworkAsync(new NetworkSpec { Name = "priv", Driver = "ov", Internal = true });
        await _s.CreateAsync("lan1", "lan", "10.60.0.0/24");
        var sandbox = await _s.Controller.CreateSandboxAsync(new SandboxSpec { Name = "a" });

        await _s.Controller.ConnectAsync("priv", "a");
        await _s.Controller.ConnectAsync("lan1", "a");

        Assert.DoesNotContain(await _s.Controller.ListNetworksAsync(), n => n.Name == GatewayNetwork);
        Assert.Equal(0, _s.Bridge.CountCalls("CreateNetwork"));
        Assert.Equal(2, _s.Kernel.Namespaces[sandbox.Key].Count);
        Assert.Null(_s.Kernel.DefaultGateway(sandbox.Key));
    }

    [Fact]
    public async Task SandboxWithBridgeGateway_JoinsOverlay_KeepsItsGateway_NoGatewayEndpoint()
    {
        await _s.CreateAsync("br1", "bridge", "10.1.0.0/24");
        await _s.CreateAsync("ov1", "ov", "10.50.0.0/24");
        var sandbox = await _s.Controller.CreateSandboxAsync(new SandboxSpec { Name = "a" });

        await _s.Controller.ConnectAsync("br1", "a");
        await _s.Controller.ConnectAsync("ov1", "a");

        Assert.DoesNotContain(await _s.Controller.ListNetworksAsync(), n => n.Name == GatewayNetwork);
        Assert.Equal(IPAddress.Parse("10.1.0.1"), _s.Kernel.DefaultGateway(sandbox.Key));
    }

    [Fact]
    public async Task BridgeWithGatewayJoinsLater_GatewayEndpointRemoved_DefaultRouteMoves()
    {
        await _s.CreateAsync("ov1", "ov", "10.50.0.0/24");
        await _s.CreateAsync("br1", "bridge", "10.1.0.0/24");
        var sandbox = await _s.Controller.CreateSandboxAsync(new SandboxSpec { Name = "a" });
        await _s.Controller.ConnectAsync("ov1", "a");
        var gatewayEndpointId = Assert.Single((await _s.Controller.GetNetworkAsync(GatewayNetwork)).Endpoints).Id;

        var bridge = await _s.Controller.ConnectAsync("br1", "a");

        Assert.Equal("eth2", bridge.InterfaceName);
        Assert.Empty((await _s.Controller.GetNetworkAsync(GatewayNetwork)).Endpoints);
        Assert.Null(_s.Kernel.Find(sandbox.Key, "eth1"));
        Assert.False(_s.Kernel.DriverEndpoints.ContainsKey(gatewayEndpointId));
        Assert.Equal(IPAddress.Parse("10.1.0.1"), _s.Kernel.DefaultGateway(sandbox.Key));
        Assert.Equal(2, (await _s.Controller.ListEndpointsAsync()).Count);
    }

    [Fact]
    public async Task BridgeLeaves_OverlayStays_GatewayEndpointComesBack()
    {
        await _s.CreateAsync("br1", "bridge", "10.1.0.0/24");
        await _s.CreateAsync("ov1", "ov", "10.50.0.0/24");
        var sandbox = await _s.Controller.CreateSandboxAsync(new SandboxSpec { Name = "a" });
        await _s.Controller.ConnectAsync("br1", "a");
        await _s.Controller.ConnectAsync("ov1", "a");

        await _s.Controller.DisconnectAsync("br1", "a");

        var gw = await _s.Controller.GetNetworkAsync(GatewayNetwork);
        var gatewayEndpoint = Assert.Single(gw.Endpoints);
        Assert.Equal(gw.Ipam.Pools[0].Gateway!.Value.Address, _s.Kernel.DefaultGateway(sandbox.Key));
        Assert.Equal("eth0", gatewayEndpoint.InterfaceName);
    }

    [Fact]
    public async Task PublishedPorts_OfOverlayEndpoint_AreProgrammedOnTheGatewayEndpoint()
    {
        await _s.CreateAsync("ov1", "ov", "10.50.0.0/24");
        await _s.Controller.CreateSandboxAsync(new SandboxSpec { Name = "a" });
        var port = new PortBinding { ContainerPort = 80, HostPort = 8080 };

        var overlay = await _s.Controller.ConnectAsync("ov1", "a", new EndpointSpec { PublishedPorts = [port] });

        var gatewayEndpoint = Assert.Single((await _s.Controller.GetNetworkAsync(GatewayNetwork)).Endpoints);
        Assert.Equal([port], _s.Kernel.Published[gatewayEndpoint.Id]);
        Assert.Equal([port], gatewayEndpoint.PublishedPorts);
        Assert.False(_s.Kernel.Published.ContainsKey(overlay.Id));
        Assert.Empty(overlay.PublishedPorts);
        Assert.Equal(0, _s.Overlay.CountCalls("Program"));
    }

    [Fact]
    public async Task SecondOverlayEndpointWithPorts_PortsAddedOnGatewayEndpoint_RemovedWhenItLeaves()
    {
        await _s.CreateAsync("ov1", "ov", "10.50.0.0/24");
        await _s.CreateAsync("ov2", "ov", "10.51.0.0/24");
        await _s.Controller.CreateSandboxAsync(new SandboxSpec { Name = "a" });
        var web = new PortBinding { ContainerPort = 80, HostPort = 8080 };
        var dns = new PortBinding { ContainerPort = 53, HostPort = 5353, Protocol = PortProtocol.Udp };
        await _s.Controller.ConnectAsync("ov1", "a", new EndpointSpec { PublishedPorts = [web] });
        var gatewayId = Assert.Single((await _s.Controller.GetNetworkAsync(GatewayNetwork)).Endpoints).Id;

        await _s.Controller.ConnectAsync("ov2", "a", new EndpointSpec { PublishedPorts = [dns] });

        Assert.Equal([web, dns], _s.Kernel.Published[gatewayId]);
        Assert.Equal([web, dns], Assert.Single((await _s.Controller.GetNetworkAsync(GatewayNetwork)).Endpoints).PublishedPorts);
        using (var restarted = _s.Restart())
        {
            await restarted.Controller.ReconcileAsync();
            Assert.Equal([web, dns], Assert.Single((await restarted.Controller.GetNetworkAsync(GatewayNetwork)).Endpoints).PublishedPorts);
        }

        await _s.Controller.DisconnectAsync("ov1", "a");

        Assert.Equal([dns], _s.Kernel.Published[gatewayId]);
        Assert.Equal(gatewayId, Assert.Single((await _s.Controller.GetNetworkAsync(GatewayNetwork)).Endpoints).Id);
    }

    [Fact]
    public async Task LastOverlayEndpointLeaves_GatewayEndpointGoes_NetworkStays()
    {
        await _s.CreateAsync("ov1", "ov", "10.50.0.0/24");
        await _s.CreateAsync("ov2", "ov", "10.51.0.0/24");
        var sandbox = await _s.Controller.CreateSandboxAsync(new SandboxSpec { Name = "a" });
        await _s.Controller.ConnectAsync("ov1", "a");
        await _s.Controller.ConnectAsync("ov2", "a");
        Assert.Single((await _s.Controller.GetNetworkAsync(GatewayNetwork)).Endpoints);

        await _s.Controller.DisconnectAsync("ov1", "a");
        Assert.Single((await _s.Controller.GetNetworkAsync(GatewayNetwork)).Endpoints);
        await _s.Controller.DisconnectAsync("ov2", "a");

        Assert.Empty((await _s.Controller.GetNetworkAsync(GatewayNetwork)).Endpoints);
        Assert.Empty(_s.Kernel.Namespaces[sandbox.Key]);
        Assert.Empty(_s.Kernel.DriverEndpoints);
        Assert.Empty(await _s.Store.ListAsync("endpoints/"));
        await _s.Controller.DeleteNetworkAsync(GatewayNetwork);
    }

    [Fact]
    public async Task GatewayNetworkInUse_CannotBeRemoved()
    {
        await _s.CreateAsync("ov1", "ov", "10.50.0.0/24");
        await _s.Controller.CreateSandboxAsync(new SandboxSpec { Name = "a" });
        await _s.Controller.ConnectAsync("ov1", "a");

        var e = await Assert.ThrowsAsync<ForbiddenException>(() => _s.Controller.DeleteNetworkAsync(GatewayNetwork));

        Assert.Contains("active endpoints", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ForcedSandboxRemoval_RemovesOverlayAndGatewayEndpoints()
    {
        await _s.CreateAsync("ov1", "ov", "10.50.0.0/24");
        await _s.Controller.CreateSandboxAsync(new SandboxSpec { Name = "a" });
        await _s.Controller.ConnectAsync("ov1", "a");

        await _s.Controller.DeleteSandboxAsync("a", force: true);

        Assert.Empty(await _s.Controller.ListEndpointsAsync());
        Assert.Empty(_s.Kernel.DriverEndpoints);
        Assert.Empty(await _s.Store.ListAsync("endpoints/"));
    }

    [Theory]
    [InlineData("CreateNetwork")]
    [InlineData("Join")]
    [InlineData("Program")]
    public async Task GatewayStepFails_OverlayConnectFails_NothingLeftBehind(string failOn)
    {
        var ov = await _s.CreateAsync("ov1", "ov", "10.50.0.0/24");
        var sandbox = await _s.Controller.CreateSandboxAsync(new SandboxSpec { Name = "a" });
        _s.Bridge.FailOn = failOn;

        await Assert.ThrowsAsync<InvalidOperationException>(() => _s.Controller.ConnectAsync("ov1", "a"));

        Assert.Empty(await _s.Controller.ListEndpointsAsync());
        Assert.Empty(_s.Kernel.Namespaces[sandbox.Key]);
        Assert.Empty(_s.Kernel.DriverEndpoints);
        Assert.Empty(await _s.Store.ListAsync("endpoints/"));
        Assert.Empty(await _s.Ipam.ListAddressesAsync(ov.Ipam.Pools[0].PoolId, default));
        var networks = await _s.Controller.ListNetworksAsync();
        if (failOn == "CreateNetwork")
        {
            Assert.DoesNotContain(networks, n => n.Name == GatewayNetwork);
        }
        else
        {
            var gw = await _s.Controller.GetNetworkAsync(GatewayNetwork);
            Assert.Single(await _s.Ipam.ListAddressesAsync(gw.Ipam.Pools[0].PoolId, default)); // its gateway only
        }
        _s.Bridge.FailOn = null;
        await _s.Controller.ConnectAsync("ov1", "a");
        Assert.Single((await _s.Controller.GetNetworkAsync(GatewayNetwork)).Endpoints);
    }

    [Fact]
    public async Task CustomGatewayNetworkName_FromOptions()
    {
        using var s = new Setup(new InMemoryKeyValueStore(), new FakeKernel(), new ControllerOptions { NetnsDirectory = ControllerFixture.NetnsDirectory, GatewayNetworkName = "egress", GatewayBridgeName = "egress0" });
        await s.CreateAsync("ov1", "ov", "10.50.0.0/24");
        await s.Controller.CreateSandboxAsync(new SandboxSpec { Name = "a" });

        await s.Controller.ConnectAsync("ov1", "a");

        var gw = await s.Controller.GetNetworkAsync("egress");
        Assert.Equal("egress0", gw.Options[DockerOptions.BridgeName]);
        Assert.Single(gw.Endpoints);
    }

    [Fact]
    public async Task Restart_AcknowledgedGatewayEndpoint_KeptUnchanged()
    {
        await _s.CreateAsync("ov1", "ov", "10.50.0.0/24");
        var sandbox = await _s.Controller.CreateSandboxAsync(new SandboxSpec { Name = "a" });
        await _s.Controller.ConnectAsync("ov1", "a");
        var before = await _s.Controller.ListEndpointsAsync();

        using var restarted = _s.Restart();
        var report = await restarted.Controller.ReconcileAsync();

        Assert.Empty(report.Errors);
        Assert.Empty(report.Removed);
        Assert.Empty(report.Recreated);
        Assert.Equal(before.Select(e => e.Id).Order(), (await restarted.Controller.ListEndpointsAsync()).Select(e => e.Id).Order());
        Assert.NotNull(_s.Kernel.DefaultGateway(sandbox.Key));
    }

    [Fact]
    public async Task CrashAfterGatewayEndpoint_BeforeOverlayAcknowledged_ReconcileRemovesBoth()
    {
        await _s.CreateAsync("ov1", "ov", "10.50.0.0/24");
        var sandbox = await _s.Controller.CreateSandboxAsync(new SandboxSpec { Name = "a" });
        using var reached = new ManualResetEventSlim();
        // The gateway endpoint's Joined event runs inside the overlay connect, before its
        // acknowledgement: blocking it there is a kill -9 at that point.
        using var hook = _s.Controller.SubscribeEndpointEvents(e =>
        {
            if (e.Endpoint.NetworkName == GatewayNetwork)
            {
                reached.Set();
                _release.Wait();
            }
        });
        _ = Task.Run(() => _s.Controller.ConnectAsync("ov1", "a"));
        Assert.True(reached.Wait(TimeSpan.FromSeconds(30)), "the gateway endpoint was never made");

        using var restarted = _s.Restart();
        var report = await restarted.Controller.ReconcileAsync();

        Assert.Empty(report.Errors);
        Assert.Contains(report.Repaired, r => r.Contains("connect interrupted", StringComparison.Ordinal));
        Assert.Contains(report.Removed, r => r.Contains("gateway endpoint gateway_", StringComparison.Ordinal));
        Assert.Empty(await restarted.Controller.ListEndpointsAsync());
        Assert.Empty(_s.Kernel.Namespaces[sandbox.Key]);
        Assert.Empty(_s.Kernel.DriverEndpoints);
        Assert.Empty(await _s.Store.ListAsync("endpoints/"));
    }

    [Fact]
    public async Task CrashDuringGatewayJoin_ReconcileUndoesBothIntents()
    {
        await _s.CreateAsync("ov1", "ov", "10.50.0.0/24");
        var sandbox = await _s.Controller.CreateSandboxAsync(new SandboxSpec { Name = "a" });
        _s.Bridge.HangOn = "Program";
        _ = _s.Controller.ConnectAsync("ov1", "a");
        await _s.Bridge.HangReached.Task;

        using var restarted = _s.Restart();
        var report = await restarted.Controller.ReconcileAsync();

        Assert.Empty(report.Errors);
        Assert.Empty(await restarted.Controller.ListEndpointsAsync());
        Assert.Empty(_s.Kernel.Namespaces[sandbox.Key]);
        Assert.Empty(_s.Kernel.DriverEndpoints);
        Assert.Empty(await _s.Store.ListAsync("endpoints/"));
    }

    [Fact]
    public async Task Restart_GatewayEndpointLost_ReconcileMakesItAgain()
    {
        await _s.CreateAsync("ov1", "ov", "10.50.0.0/24");
        var sandbox = await _s.Controller.CreateSandboxAsync(new SandboxSpec { Name = "a" });
        await _s.Controller.ConnectAsync("ov1", "a");
        var lost = Assert.Single((await _s.Controller.GetNetworkAsync(GatewayNetwork)).Endpoints);
        await _s.Store.DeleteAsync($"endpoints/{lost.NetworkId}/{lost.Id}");

        using var restarted = _s.Restart();
        var report = await restarted.Controller.ReconcileAsync();

        Assert.Empty(report.Errors);
        Assert.Contains(report.Recreated, r => r.Contains("gateway endpoint gateway_", StringComparison.Ordinal));
        var again = Assert.Single((await restarted.Controller.GetNetworkAsync(GatewayNetwork)).Endpoints);
        Assert.NotEqual(lost.Id, again.Id);
        Assert.Equal(2, _s.Kernel.Namespaces[sandbox.Key].Count);
        Assert.NotNull(_s.Kernel.DefaultGateway(sandbox.Key));
    }

    /// <summary>A controller with the three fake drivers on a store and kernel; <see cref="Restart"/> is the daemon after kill -9.</summary>
    private sealed class Setup : IDisposable
    {
        private readonly ControllerOptions _options;

        public Setup(InMemoryKeyValueStore store, FakeKernel kernel, ControllerOptions? options = null)
        {
            _options = options ?? new ControllerOptions { NetnsDirectory = ControllerFixture.NetnsDirectory };
            Store = store;
            Kernel = kernel;
            Bridge = new FakeDriver(kernel, "bridge");
            Overlay = new FakeDriver(kernel, "ov") { Capabilities = new DriverCapabilities { ConnectivityScope = NetworkScope.Global, NeedsGateway = false } };
            var lan = new FakeDriver(kernel, "lan") { Capabilities = new DriverCapabilities { NeedsGateway = false } };
            Ipam = new DefaultIpamDriver(store);
            var registry = new DriverRegistry();
            registry.AddNetworkDriver(Bridge);
            registry.AddNetworkDriver(Overlay);
            registry.AddNetworkDriver(lan);
            registry.AddIpamDriver(Ipam);
            Controller = new NetworkController(_options, store, registry, kernel);
        }

        public InMemoryKeyValueStore Store { get; }

        public FakeKernel Kernel { get; }

        public FakeDriver Bridge { get; }

        public FakeDriver Overlay { get; }

        public DefaultIpamDriver Ipam { get; }

        public NetworkController Controller { get; }

        public Setup Restart() => new(Store, Kernel, _options);

        public Task<NetworkInfo> CreateAsync(string name, string driver, string subnet) =>
            Controller.CreateNetworkAsync(new NetworkSpec
            {
                Name = name,
                Driver = driver,
                Ipam = new IpamSpec { Pools = [new IpamPoolSpec { Subnet = subnet }] },
            });

        public void Dispose() => Controller.Dispose();
    }
}
