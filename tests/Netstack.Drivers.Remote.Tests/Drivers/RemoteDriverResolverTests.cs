using Netstack.Core;
using Netstack.Core.Drivers;
using Netstack.Drivers.Remote.Tests.Fakes;
using Xunit;

namespace Netstack.Drivers.Remote.Tests.Drivers;

/// <summary>The registry's fallback: <c>-d NAME</c> and <c>--ipam-driver NAME</c> find discovered plugins.</summary>
public sealed class RemoteDriverResolverTests
{
    [Fact]
    public async Task Registry_UnknownName_FindsThePlugin_ActivatesOnce_AndKeepsIt()
    {
        using var dirs = PluginDirectory.Create();
        await using var plugin = await dirs.StartPluginAsync("weave");
        plugin.Reply("NetworkDriver.GetCapabilities", new { Scope = "global" });
        using var resolver = new RemoteDriverResolver(dirs.Options());
        var registry = new DriverRegistry(resolver);

        Assert.True(registry.TryGetNetworkDriver("weave", out var first));
        Assert.True(registry.TryGetNetworkDriver("weave", out var second));
        Assert.True(registry.TryGetIpamDriver("weave", out var ipam));

        Assert.Same(first, second);
        Assert.IsType<RemoteNetworkDriver>(first);
        Assert.Equal(NetworkScope.Global, first.Capabilities.DataScope);
        Assert.Equal("weave", ipam.Name);
        Assert.Contains(first, registry.NetworkDrivers);
        Assert.Contains(ipam, registry.IpamDrivers);
        // One client per plugin: one activation for both subsystems.
        Assert.Single(plugin.CallsOf("Plugin.Activate"));
        Assert.Single(plugin.CallsOf("NetworkDriver.GetCapabilities"));
    }

    [Fact]
    public void Registry_NoSuchPlugin_False()
    {
        using var dirs = PluginDirectory.Create();
        using var resolver = new RemoteDriverResolver(dirs.Options());
        var registry = new DriverRegistry(resolver);

        Assert.False(registry.TryGetNetworkDriver("nosuch", out _));
        Assert.False(registry.TryGetIpamDriver("nosuch", out _));
        Assert.False(registry.TryGetNetworkDriver("../../etc/passwd", out _));
        Assert.Empty(registry.NetworkDrivers);
    }

    [Fact]
    public async Task Registry_PluginWithoutNetworkDriver_NotANetworkDriver_ButAnIpamDriver()
    {
        using var dirs = PluginDirectory.Create();
        await using var plugin = await dirs.StartPluginAsync("ipamonly");
        plugin.Reply("Plugin.Activate", new { Implements = new[] { "IpamDriver" } });
        using var resolver = new RemoteDriverResolver(dirs.Options());
        var registry = new DriverRegistry(resolver);

        Assert.False(registry.TryGetNetworkDriver("ipamonly", out _));
        Assert.True(registry.TryGetIpamDriver("ipamonly", out _));
    }

    [Fact]
    public async Task Registry_PluginDown_ResolvesToADriverWhoseCallsSayWhy()
    {
        using var dirs = PluginDirectory.Create();
        File.WriteAllText(Path.Combine(dirs.Specs, "down.spec"), "unix://" + Path.Combine(dirs.Root, "down.sock"));
        using var resolver = new RemoteDriverResolver(dirs.Options(activationTimeout: TimeSpan.FromSeconds(2)));
        var registry = new DriverRegistry(resolver);

        Assert.True(registry.TryGetNetworkDriver("down", out var driver));
        var e = await Assert.ThrowsAsync<UnavailableException>(() =>
            driver.CreateNetworkAsync(new DriverNetwork { NetworkId = new string('a', 64), Name = "n" }, CancellationToken.None));

        Assert.Contains("plugin \"down\"", e.Message, StringComparison.Ordinal);
        Assert.Contains("cannot connect", e.Message, StringComparison.Ordinal);

        // It comes up: the next call activates and goes through.
        await using var plugin = await FakePlugin.StartAsync(Path.Combine(dirs.Root, "down.sock"));
        await driver.CreateNetworkAsync(new DriverNetwork { NetworkId = new string('a', 64), Name = "n" }, CancellationToken.None);
        Assert.Single(plugin.CallsOf("NetworkDriver.CreateNetwork"));
    }

    [Fact]
    public async Task Registry_IpamPluginDown_ResolvesToADriverWhoseCallsSayWhy_ThenWorksWhenItIsUp()
    {
        using var dirs = PluginDirectory.Create();
        var socket = Path.Combine(dirs.Root, "ipamdown.sock");
        File.WriteAllText(Path.Combine(dirs.Specs, "ipamdown.spec"), "unix://" + socket);
        // Long enough for the fake plugin to answer on a loaded machine once it is up; the down
        // half fails as soon as the connect is refused.
        using var resolver = new RemoteDriverResolver(dirs.Options(activationTimeout: TimeSpan.FromSeconds(2)));
        var registry = new DriverRegistry(resolver);
        var request = new Netstack.Core.Ipam.PoolRequest { Subnet = System.Net.IPNetwork.Parse("10.80.0.0/24") };

        Assert.True(registry.TryGetIpamDriver("ipamdown", out var ipam));
        var e = await Assert.ThrowsAsync<UnavailableException>(() => ipam.RequestPoolAsync(request, CancellationToken.None));
        Assert.Contains("plugin \"ipamdown\"", e.Message, StringComparison.Ordinal);

        await using var plugin = await FakePlugin.StartAsync(socket);
        plugin.Reply("IpamDriver.RequestPool", new { PoolID = "p1", Pool = "10.80.0.0/24" });
        Assert.Equal("p1", (await ipam.RequestPoolAsync(request, CancellationToken.None)).PoolId);
    }

    [Fact]
    public async Task Registry_BuiltInName_NeverAsksThePlugin()
    {
        using var dirs = PluginDirectory.Create();
        await using var plugin = await dirs.StartPluginAsync("bridge");
        using var resolver = new RemoteDriverResolver(dirs.Options());
        var registry = new DriverRegistry(resolver);
        var builtIn = new NamedDriver("bridge");
        registry.AddNetworkDriver(builtIn);

        Assert.True(registry.TryGetNetworkDriver("bridge", out var found));

        Assert.Same(builtIn, found);
        Assert.Empty(plugin.Calls);
    }

    private sealed class NamedDriver(string type) : INetworkDriver
    {
        public string Type => type;

        public DriverCapabilities Capabilities { get; } = new();

        public Task CreateNetworkAsync(DriverNetwork network, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task DeleteNetworkAsync(string networkId, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<DriverEndpointResult> CreateEndpointAsync(DriverEndpoint endpoint, CancellationToken cancellationToken) =>
            Task.FromResult(new DriverEndpointResult { MacAddress = "02:42:00:00:00:01" });

        public Task DeleteEndpointAsync(string networkId, string endpointId, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<JoinResult> JoinAsync(JoinRequest request, CancellationToken cancellationToken) =>
            Task.FromResult(new JoinResult { InterfaceName = request.InterfaceName });

        public Task LeaveAsync(string networkId, string endpointId, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<IReadOnlyList<PortBinding>> ProgramExternalConnectivityAsync(ExternalConnectivityRequest request, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<PortBinding>>([]);

        public Task RevokeExternalConnectivityAsync(string networkId, string endpointId, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<DriverReconcileReport> ReconcileAsync(DriverReconcileRequest request, CancellationToken cancellationToken) =>
            Task.FromResult(new DriverReconcileReport());
    }
}
