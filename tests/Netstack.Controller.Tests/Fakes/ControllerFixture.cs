using Netstack.Core;
using Netstack.Core.Drivers;
using Netstack.Ipam;
using Netstack.Store;

namespace Netstack.Controller.Tests;

/// <summary>A controller on an in-memory store, the real default IPAM and the fake driver and kernel.</summary>
internal sealed class ControllerFixture : IDisposable
{
    public const string NetnsDirectory = "/run/netstack-test/netns";

    public ControllerFixture(InMemoryKeyValueStore? store = null, FakeKernel? kernel = null)
    {
        Store = store ?? new InMemoryKeyValueStore();
        Kernel = kernel ?? new FakeKernel();
        Driver = new FakeDriver(Kernel);
        Ipam = new DefaultIpamDriver(Store);
        Registry = new DriverRegistry();
        Registry.AddNetworkDriver(Driver);
        Registry.AddIpamDriver(Ipam);
        Controller = new NetworkController(new ControllerOptions { NetnsDirectory = NetnsDirectory }, Store, Registry, Kernel, Time);
    }

    public InMemoryKeyValueStore Store { get; }

    public FakeKernel Kernel { get; }

    public FakeDriver Driver { get; }

    public DefaultIpamDriver Ipam { get; }

    public DriverRegistry Registry { get; }

    public ManualTime Time { get; } = new();

    public NetworkController Controller { get; }

    /// <summary>A second controller on the same store and kernel: the daemon after a restart.</summary>
    public ControllerFixture Restart() => new(Store, Kernel);

    public Task<NetworkInfo> CreateNetworkAsync(string name, string? subnet = null, string? range = null, string? gateway = null) =>
        Controller.CreateNetworkAsync(new NetworkSpec
        {
            Name = name,
            Driver = "fake",
            Ipam = new IpamSpec { Pools = subnet is null ? [] : [new IpamPoolSpec { Subnet = subnet, IpRange = range, Gateway = gateway }] },
        });

    public void Dispose() => Controller.Dispose();
}

/// <summary>A clock the test moves by hand.</summary>
internal sealed class ManualTime : TimeProvider
{
    private DateTimeOffset _now = new(2026, 11, 22, 3, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
