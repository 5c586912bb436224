using System.Net;
using Netstack.Core;
using Netstack.Core.Drivers;
using Netstack.Core.Ipam;
using Netstack.Ipam;
using Netstack.Store;
using Xunit;

namespace Netstack.Controller.Tests;

/// <summary>
/// Global networks across several controllers ("hosts") sharing one in-memory cluster store, each
/// with its own local store, kernel and watch. The etcd store itself is tested against a real etcd
/// in Netstack.Store.Tests; three real daemons on etcd in the privileged tests.
/// </summary>
public sealed class GlobalNetworkTests : IAsyncDisposable
{
    private readonly InMemoryKeyValueStore _global = new() { Address = "memory://cluster" };
    private readonly List<Host> _hosts = [];

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }
    }

    private Host Start(string node, InMemoryKeyValueStore? local = null, FakeKernel? kernel = null)
    {
        var host = new Host(node, _global, local ?? new InMemoryKeyValueStore(), kernel ?? new FakeKernel());
        _hosts.Add(host);
        return host;
    }

    [Fact]
    public async Task WithoutClusterStore_GlobalDriverRefused_NamingTheFlag()
    {
        using var f = new ControllerFixture();
        f.Registry.AddNetworkDriver(new FakeDriver(f.Kernel, "ov") { Capabilities = Host.OverlayCapabilities });

        var e = await Assert.ThrowsAsync<InvalidParameterException>(() => f.Controller.CreateNetworkAsync(new NetworkSpec { Name = "g", Driver = "ov" }));
        var scoped = await Assert.ThrowsAsync<InvalidParameterException>(() => f.Controller.CreateNetworkAsync(new NetworkSpec { Name = "g", Driver = "ov", Scope = NetworkScope.Global }));

        Assert.Contains("--cluster-store", e.Message, StringComparison.Ordinal);
        Assert.Contains("ov", e.Message, StringComparison.Ordinal);
        Assert.Contains("--cluster-store", scoped.Message, StringComparison.Ordinal);
        Assert.Empty(await f.Controller.ListNetworksAsync());
        Assert.Empty(f.Kernel.DriverNetworks);
    }

    [Fact]
    public async Task CreatedOnOneHost_SeenByTheOthers_WithVxlanIdAndGlobalScope()
    {
        var a = Start("a");
        var b = Start("b");
        var c = Start("c");

        var created = await a.CreateAsync("ov1", "10.50.0.0/24");

        foreach (var other in new[] { b, c })
        {
            var seen = await other.WaitForNetworkAsync("ov1");
            Assert.Equal(created.Id, seen.Id);
            Assert.Equal(NetworkScope.Global, seen.Scope);
            Assert.Equal("4096", seen.Options[DockerOptions.OverlayVxlanIdList]);
            await Eventually(() => other.Kernel.DriverNetworks.ContainsKey(created.Id));
        }
        var listed = Assert.Single(await c.Controller.ListNetworksAsync());
        Assert.Equal(NetworkScope.Global, listed.Scope);
        Assert.Null(await _global.GetAsync("networks/" + created.Id) is { } e && e.Value.Length > 0 ? null : "missing");
        Assert.Empty(await a.Local.ListAsync("networks/"));
    }

    [Fact]
    public async Task VxlanIds_FromFourThousandNinetySix_UserListHonoured_TakenRefused_ReleasedWithTheNetwork()
    {
        var a = Start("a");
        var b = Start("b");

        var first = await a.CreateAsync("n1");
        var second = await b.CreateAsync("n2");
        var chosen = await a.CreateAsync("n3", options: new() { [DockerOptions.OverlayVxlanIdList] = "5000" });
        var taken = await Assert.ThrowsAsync<ConflictException>(() => b.CreateAsync("n4", options: new() { [DockerOptions.OverlayVxlanIdList] = "5000" }));
        var outside = await Assert.ThrowsAsync<InvalidParameterException>(() => b.CreateAsync("n5", options: new() { [DockerOptions.OverlayVxlanIdList] = "16777216" }));

        Assert.Equal("4096", first.Options[DockerOptions.OverlayVxlanIdList]);
        Assert.Equal("4097", second.Options[DockerOptions.OverlayVxlanIdList]);
        Assert.Equal("5000", chosen.Options[DockerOptions.OverlayVxlanIdList]);
        Assert.Contains(DockerOptions.OverlayVxlanIdList, taken.Message, StringComparison.Ordinal);
        Assert.Contains("5000", taken.Message, StringComparison.Ordinal);
        Assert.Equal(DockerOptions.OverlayVxlanIdList, outside.Field);
        Assert.Null(await _global.GetAsync("names/networks/n4"));
        Assert.Null(await _global.GetAsync("names/networks/n5"));

        await b.WaitForNetworkAsync("n1");
        await b.Controller.DeleteNetworkAsync("n1");
        var again = await a.CreateAsync("n6");

        Assert.Equal("4096", again.Options[DockerOptions.OverlayVxlanIdList]);
        Assert.Equal(3, (await _global.ListAsync("vni/")).Count);
    }

    [Fact]
    public async Task SameNameOnTwoHostsAtOnce_ExactlyOneWins_TheOtherGetsConflict()
    {
        var a = Start("a");
        var b = Start("b");
        for (var round = 0; round < 20; round++)
        {
            var name = $"race{round}";
            var results = await Task.WhenAll(Outcome(a.CreateAsync(name)), Outcome(b.CreateAsync(name)));

            Assert.Single(results, r => r is null);
            Assert.IsType<ConflictException>(Assert.Single(results, r => r is not null));
            Assert.Single(await _global.ListAsync("names/networks/" + name));
        }
        Assert.Equal(20, (await _global.ListAsync("vni/")).Count);
    }

    [Fact]
    public async Task RemoveWhileAnotherHostHasEndpoints_Conflict_NamingTheHost_ThenRemovedEverywhere()
    {
        var a = Start("a");
        var b = Start("b");
        await a.CreateAsync("ov", "10.51.0.0/24");
        await b.WaitForNetworkAsync("ov");
        await b.Controller.CreateSandboxAsync(new SandboxSpec { Name = "web" });
        var endpoint = await b.Controller.ConnectAsync("ov", "web");

        var busy = await Assert.ThrowsAsync<ConflictException>(() => a.Controller.DeleteNetworkAsync("ov"));
        Assert.Contains("active endpoints", busy.Message, StringComparison.Ordinal);
        Assert.Contains("b", busy.Message.Split('(').Last(), StringComparison.Ordinal);
        // The refused removal changed nothing: B can still connect more.
        await b.Controller.CreateSandboxAsync(new SandboxSpec { Name = "db" });
        await b.Controller.ConnectAsync("ov", "db");

        await b.Controller.DisconnectAsync("ov", "web");
        await b.Controller.DisconnectAsync("ov", "db");
        await a.Controller.DeleteNetworkAsync("ov");

        await Eventually(async () => (await b.Controller.ListNetworksAsync()).Count == 0);
        await Eventually(() => b.Kernel.DriverNetworks.IsEmpty && a.Kernel.DriverNetworks.IsEmpty);
        Assert.Empty(await _global.ListAsync("networks/"));
        Assert.Empty(await _global.ListAsync("attachments/"));
        Assert.Empty(await _global.ListAsync("vni/"));
        Assert.Empty(await _global.ListAsync("ipam/GlobalDefault/addresses/"));
        Assert.Equal("10.51.0.2/24", endpoint.IPv4Address!.ToString());
    }

    [Fact]
    public async Task ConcurrentConnectsOnThreeHosts_EveryAddressUnique()
    {
        var hosts = new[] { Start("a"), Start("b"), Start("c") };
        await hosts[0].CreateAsync("big", "10.52.0.0/22");
        foreach (var h in hosts)
        {
            await h.WaitForNetworkAsync("big");
        }

        var connects = hosts.SelectMany(h => Enumerable.Range(0, 40).Select(async i =>
        {
            var name = $"{h.Node}-{i}";
            await h.Controller.CreateSandboxAsync(new SandboxSpec { Name = name });
            return await h.Controller.ConnectAsync("big", name);
        })).ToArray();
        var endpoints = await Task.WhenAll(connects);

        var addresses = endpoints.Select(e => e.IPv4Address!.Value.Address).ToArray();
        Assert.Equal(120, addresses.Distinct().Count());
        Assert.Equal(121, (await _global.ListAsync("ipam/GlobalDefault/addresses/")).Count); // and the gateway
        Assert.Equal(120, (await _global.ListAsync("attachments/")).Count);
    }

    [Fact]
    public async Task Reconcile_ReleasesOwnOrphanAddresses_NeverAnotherHosts()
    {
        var localA = new InMemoryKeyValueStore();
        var kernelA = new FakeKernel();
        var a = Start("a", localA, kernelA);
        var b = Start("b");
        var network = await a.CreateAsync("ov", "10.53.0.0/24");
        await b.WaitForNetworkAsync("ov");
        var pool = network.Ipam.Pools[0].PoolId;
        // Each host took an address and "crashed" before using it; B also has a real endpoint.
        var orphanA = await a.Ipam.RequestAddressAsync(pool, null, Empty.Options, CancellationToken.None);
        var orphanB = await b.Ipam.RequestAddressAsync(pool, null, Empty.Options, CancellationToken.None);
        await b.Controller.CreateSandboxAsync(new SandboxSpec { Name = "kept" });
        var keptB = await b.Controller.ConnectAsync("ov", "kept");
        await a.DisposeAsync();
        _hosts.Remove(a);

        var restarted = Start("a", localA, kernelA);
        var report = await restarted.Controller.ReconcileAsync();

        var left = (await restarted.Ipam.ListAddressesAsync(pool, CancellationToken.None)).ToHashSet();
        Assert.DoesNotContain(orphanA.Address, left);
        Assert.Contains(orphanB.Address, left);
        Assert.Contains(keptB.IPv4Address!.Value.Address, left);
        Assert.Contains(IPAddress.Parse("10.53.0.1"), left);
        Assert.Contains(report.Removed, r => r.Contains(orphanA.Address.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reconcile_RemovesOwnOrphanAttachments_RestoresMissingOnes()
    {
        var local = new InMemoryKeyValueStore();
        var kernel = new FakeKernel();
        var a = Start("a", local, kernel);
        var network = await a.CreateAsync("ov");
        await a.Controller.CreateSandboxAsync(new SandboxSpec { Name = "s" });
        var endpoint = await a.Controller.ConnectAsync("ov", "s");
        var mine = $"attachments/{network.Id}/a/{endpoint.Id}";
        await _global.DeleteAsync(mine);
        await _global.PutAsync($"attachments/{network.Id}/a/{new string('e', 64)}", "{}"u8.ToArray());
        await _global.PutAsync($"attachments/{network.Id}/z/{new string('f', 64)}", "{}"u8.ToArray());

        await a.Controller.ReconcileAsync();

        var keys = (await _global.ListAsync("attachments/")).Select(e => e.Key).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(new[] { mine, $"attachments/{network.Id}/z/{new string('f', 64)}" }.Order(StringComparer.Ordinal), keys);
    }

    [Fact]
    public async Task GarbageUnderThePrefix_SkippedAndLogged_NeverACrash()
    {
        await _global.PutAsync("networks/not-an-id", "{\"hello\":1}"u8.ToArray());
        await _global.PutAsync("networks/" + new string('a', 64), "\u0001\u0002garbage"u8.ToArray());
        var a = Start("a");
        await _global.PutAsync("networks/" + new string('b', 64), "[1,2,3]"u8.ToArray());

        var created = await a.CreateAsync("fine");
        var b = Start("b");

        Assert.Equal(created.Id, (await b.WaitForNetworkAsync("fine")).Id);
        Assert.Single(await a.Controller.ListNetworksAsync());
        Assert.Single(await b.Controller.ListNetworksAsync());
    }

    [Fact]
    public async Task InterruptedGlobalCreate_UndoneByItsOwnNode_Only()
    {
        var localA = new InMemoryKeyValueStore();
        var kernelA = new FakeKernel();
        var a = Start("a", localA, kernelA);
        var b = Start("b");
        a.Driver.HangOn = "CreateNetwork";
        var hung = a.CreateAsync("half", "10.57.0.0/24");
        await a.Driver.HangReached.Task;
        Assert.NotNull(await _global.GetAsync("names/networks/half"));

        // B's reconcile leaves A's half-made network alone.
        await b.Controller.ReconcileAsync();
        Assert.NotNull(await _global.GetAsync("names/networks/half"));
        Assert.Empty(await b.Controller.ListNetworksAsync());
        // B is half-way through a create of its own: its pool is reserved, its record not Ready.
        b.Driver.HangOn = "CreateNetwork";
        var hungB = b.CreateAsync("halfb", "10.58.0.0/24");
        await b.Driver.HangReached.Task;

        await a.DisposeAsync();
        _hosts.Remove(a);
        var restarted = Start("a", localA, kernelA);
        await restarted.Controller.ReconcileAsync();

        Assert.Null(await _global.GetAsync("names/networks/half"));
        Assert.NotNull(await _global.GetAsync("names/networks/halfb"));
        Assert.Single(await _global.ListAsync("networks/"));
        Assert.Single(await _global.ListAsync("vni/"));
        // A's pool (reserved before its crash, named by no record) is released; B's stays.
        Assert.Equal([("GlobalDefault/10.58.0.0/24", "b")], await restarted.Ipam.ListPoolOwnersAsync(IpamAddressSpaces.Global, CancellationToken.None));
        _ = hung;
        _ = hungB;
    }

    [Fact]
    public async Task StoreLostMidConnect_RollbackCannotRelease_AddressReleasedWhenTheStoreIsBack_NoRestart()
    {
        var inner = new InMemoryKeyValueStore();
        var flaky = new FlakyClusterStore(inner);
        await using var a = new Host("a", flaky, new InMemoryKeyValueStore(), new FakeKernel());
        var network = await a.CreateAsync("ov", "10.54.0.0/24");
        await a.Controller.CreateSandboxAsync(new SandboxSpec { Name = "s" });
        // The store goes away between the address (taken) and the attachment (not written).
        flaky.FailOnKey = k => k.StartsWith("attachments/", StringComparison.Ordinal);

        var failed = await Assert.ThrowsAsync<UnavailableException>(() => a.Controller.ConnectAsync("ov", "s"));
        Assert.Contains("memory://flaky", failed.Message, StringComparison.Ordinal);
        Assert.Equal(2, (await inner.ListAsync("ipam/GlobalDefault/addresses/")).Count); // gateway + the stranded one
        Assert.Empty(await a.Local.ListAsync("endpoints/"));

        flaky.Down = false;
        await Eventually(async () => (await inner.ListAsync("ipam/GlobalDefault/addresses/")).Count == 1);
        var endpoint = await a.Controller.ConnectAsync("ov", "s");

        Assert.Equal("10.54.0.2/24", endpoint.IPv4Address.ToString());
        Assert.Single(await inner.ListAsync("attachments/"));
        _ = network;
    }

    [Fact]
    public async Task ReleaseOfAnAddressAnotherNodeHoldsNow_LeavesIt()
    {
        var a = Start("a");
        var b = Start("b");
        var network = await a.CreateAsync("ov", "10.55.0.0/24");
        await b.WaitForNetworkAsync("ov");
        var pool = network.Ipam.Pools[0].PoolId;
        var taken = await b.Ipam.RequestAddressAsync(pool, null, Empty.Options, CancellationToken.None);

        await a.Ipam.ReleaseAddressAsync(pool, taken.Address, CancellationToken.None);

        Assert.Contains(taken.Address, await b.Ipam.ListAddressesAsync(pool, CancellationToken.None));
    }

    [Fact]
    public async Task SubnetOverlappingAnotherHostsGlobalNetwork_Conflict_NamingTheSubnet_NothingLeft()
    {
        var a = Start("a");
        var b = Start("b");
        await a.CreateAsync("first", "10.56.0.0/16");

        var e = await Assert.ThrowsAsync<ConflictException>(() => b.CreateAsync("second", "10.56.3.0/24"));

        Assert.Contains("10.56.3.0/24", e.Message, StringComparison.Ordinal);
        Assert.Contains("10.56.0.0/16", e.Message, StringComparison.Ordinal);
        Assert.Null(await _global.GetAsync("names/networks/second"));
        Assert.Single(await _global.ListAsync("vni/"));
        Assert.Single(await _global.ListAsync("networks/"));
    }

    private static async Task<Exception?> Outcome(Task task)
    {
        try
        {
            await task;
            return null;
        }
#pragma warning disable CA1031 // the test looks at which exception it was
        catch (Exception e)
#pragma warning restore CA1031
        {
            return e;
        }
    }

    private static Task Eventually(Func<bool> condition) => Eventually(() => Task.FromResult(condition()));

    /// <summary>Waits for something the watch delivers; fails after 10 s (a deadline, not a speed claim).</summary>
    private static async Task Eventually(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached within 10 s");
            await Task.Delay(10);
        }
    }

    internal sealed class Host : IAsyncDisposable
    {
        public static readonly DriverCapabilities OverlayCapabilities = new()
        {
            DataScope = NetworkScope.Global,
            ConnectivityScope = NetworkScope.Global,
            NeedsVxlanId = true,
        };

        private readonly CancellationTokenSource _stop = new();
        private readonly Task _watch;

        public Host(string node, Netstack.Core.Storage.IClusterStore global, InMemoryKeyValueStore local, FakeKernel kernel)
        {
            Node = node;
            Local = local;
            Kernel = kernel;
            Driver = new FakeDriver(kernel, "ov") { Capabilities = OverlayCapabilities };
            Ipam = new DefaultIpamDriver(local, global, nodeName: node);
            var registry = new DriverRegistry();
            registry.AddNetworkDriver(Driver);
            registry.AddIpamDriver(Ipam);
            Controller = new NetworkController(
                new ControllerOptions { NetnsDirectory = ControllerFixture.NetnsDirectory + "-" + node, NodeName = node, GlobalRetryDelay = TimeSpan.FromMilliseconds(50), GlobalHealthInterval = TimeSpan.FromMilliseconds(50) },
                local, registry, kernel, globalStore: global);
            _watch = Controller.RunClusterWatchAsync(_stop.Token);
        }

        public string Node { get; }

        public InMemoryKeyValueStore Local { get; }

        public FakeKernel Kernel { get; }

        public FakeDriver Driver { get; }

        public DefaultIpamDriver Ipam { get; }

        public NetworkController Controller { get; }

        public Task<NetworkInfo> CreateAsync(string name, string? subnet = null, Dictionary<string, string>? options = null) =>
            Controller.CreateNetworkAsync(new NetworkSpec
            {
                Name = name,
                Driver = "ov",
                Options = options ?? [],
                Ipam = new IpamSpec { Pools = subnet is null ? [] : [new IpamPoolSpec { Subnet = subnet }] },
            });

        public async Task<NetworkInfo> WaitForNetworkAsync(string name)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (true)
            {
                try
                {
                    return await Controller.GetNetworkAsync(name);
                }
                catch (NotFoundException) when (DateTime.UtcNow < deadline)
                {
                    await Task.Delay(10);
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _watch;
            Controller.Dispose();
            _stop.Dispose();
        }
    }
}
