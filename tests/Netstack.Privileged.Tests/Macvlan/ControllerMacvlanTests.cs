using System.Net;
using Netstack.Controller;
using Netstack.Core;
using Netstack.Core.Drivers;
using Netstack.Drivers.Macvlan;
using Netstack.Ipam;
using Netstack.Linux;
using Netstack.Store;
using Netstack.TestKit;
using Xunit;

namespace Netstack.Privileged.Tests.Macvlan;

/// <summary>
/// The controller with the real macvlan driver, SQLite store and default IPAM on a namespace segment:
/// the user's subnet, gateway, ip-range and aux addresses, a restart with reconcile, and teardown.
/// </summary>
public sealed class ControllerMacvlanTests : IAsyncLifetime
{
    private readonly string _suffix = TestNamespace.NewName();
    private TestNamespace _host = null!;
    private Segment _segment = null!;
    private SqliteKeyValueStore _store = null!;
    private MacvlanDriver _driver = null!;
    private NetworkController _controller = null!;

    private string NetnsDirectory => $"/run/{_suffix}-netns";

    private string DataDirectory => Path.Combine(Path.GetTempPath(), _suffix);

    public async Task InitializeAsync()
    {
        _host = TestNamespace.Create();
        _segment = Segment.Attach(_host);
        await StartAsync();
    }

    [PrivilegedFact]
    public async Task Controller_MacvlanNetwork_ConnectRestartDelete_WorksAndLeavesNothing()
    {
        await _controller.CreateNetworkAsync(new NetworkSpec
        {
            Name = "lan",
            Driver = "macvlan",
            Options = new Dictionary<string, string>(StringComparer.Ordinal) { ["parent"] = Segment.Uplink },
            Ipam = new IpamSpec
            {
                Pools = [new IpamPoolSpec
                {
                    Subnet = Segment.Subnet,
                    Gateway = "192.0.2.1",
                    IpRange = "192.0.2.64/26",
                    // The host's own address on the segment: IPAM must never hand it out.
                    AuxAddresses = new Dictionary<string, string>(StringComparer.Ordinal) { ["host"] = "192.0.2.2" },
                }],
            },
        });
        await _controller.CreateSandboxAsync(new SandboxSpec { Name = "a" });
        await _controller.CreateSandboxAsync(new SandboxSpec { Name = "b" });
        var a = await _controller.ConnectAsync("lan", "a");
        // The aux address is reserved: asking for it is refused and b gets an address of the range.
        await Assert.ThrowsAnyAsync<NetstackException>(() => _controller.ConnectAsync("lan", "b", new EndpointSpec { IPv4Address = "192.0.2.2" }));
        var c = await _controller.ConnectAsync("lan", "b");
        using var nsA = NetworkNamespace.Open(a.SandboxKey);

        var range = IPNetwork.Parse("192.0.2.64/26");
        Assert.True(range.Contains(a.IPv4Address!.Value.Address), $"{a.IPv4Address} is outside the ip-range");
        Assert.True(range.Contains(c.IPv4Address!.Value.Address), $"{c.IPv4Address} is outside the ip-range");
        Assert.Equal(Segment.MachineAddress, a.Gateway);
        Assert.Equal("eth0", a.InterfaceName);
        var route = Assert.Single(ControllerHostIp(a.SandboxKey, "route", "show", "default").EnumerateArray());
        Assert.Equal("192.0.2.1", route.GetProperty("gateway").GetString());
        Assert.True(Ping(a.SandboxKey, c.IPv4Address!.Value.Address), "a cannot reach b");
        Assert.True(Ping(a.SandboxKey, Segment.MachineAddress), "a cannot reach the machine (the gateway)");

        // Restart: a new store handle, driver and controller; reconcile gives the driver its table back,
        // so the check between networks still sees "lan" (passthru needs the parent to itself).
        await StopAsync();
        await StartAsync();
        var report = await _controller.ReconcileAsync();
        Assert.True(report.Errors.Count == 0, string.Join("; ", report.Errors));
        var passthru = await Assert.ThrowsAsync<ConflictException>(() => _controller.CreateNetworkAsync(new NetworkSpec
        {
            Name = "pt",
            Driver = "macvlan",
            Options = new Dictionary<string, string>(StringComparer.Ordinal) { ["parent"] = Segment.Uplink, ["macvlan_mode"] = "passthru" },
            Ipam = new IpamSpec { Pools = [new IpamPoolSpec { Subnet = "198.51.100.0/24" }] },
        }));
        Assert.Contains("passthru", passthru.Message, StringComparison.Ordinal);
        Assert.True(Ping(a.SandboxKey, Segment.MachineAddress), "a lost the machine across the restart");

        await _controller.DisconnectAsync("lan", "a");
        await _controller.DisconnectAsync("lan", "b");
        Assert.DoesNotContain(ControllerHostIp(a.SandboxKey, "link", "show").EnumerateArray(), l => l.GetProperty("ifname").GetString() == "eth0");
        await _controller.DeleteNetworkAsync("lan");
        Assert.Equal(["lo", Segment.Uplink], Segment.LinkNames(_host));
    }

    [PrivilegedFact]
    public async Task Controller_MacvlanNetwork_WithoutParent_Is400_AndNoNetworkRemains()
    {
        var e = await Assert.ThrowsAsync<InvalidParameterException>(() => _controller.CreateNetworkAsync(new NetworkSpec
        {
            Name = "lan",
            Driver = "macvlan",
            Ipam = new IpamSpec { Pools = [new IpamPoolSpec { Subnet = Segment.Subnet }] },
        }));

        Assert.Equal(400, e.Category.ToHttpStatusCode());
        Assert.Contains("parent", e.Message, StringComparison.Ordinal);
        Assert.Empty(await _controller.ListNetworksAsync());
        // The subnet went back to IPAM: a valid network with it is created now.
        await _controller.CreateNetworkAsync(new NetworkSpec
        {
            Name = "lan",
            Driver = "macvlan",
            Options = new Dictionary<string, string>(StringComparer.Ordinal) { ["parent"] = Segment.Uplink },
            Ipam = new IpamSpec { Pools = [new IpamPoolSpec { Subnet = Segment.Subnet }] },
        });
        await _controller.DeleteNetworkAsync("lan");
    }

    public async Task DisposeAsync()
    {
        await StopAsync();
        foreach (var name in NetworkNamespace.List(NetnsDirectory))
        {
            try
            {
                NetworkNamespace.Delete(name, NetnsDirectory);
            }
            catch (NetlinkException)
            {
                // already gone
            }
        }
        if (Directory.Exists(NetnsDirectory))
        {
            TestNamespace.TryRun("umount", ["-l", NetnsDirectory]);
            Directory.Delete(NetnsDirectory, recursive: true);
        }
        _segment.Dispose();
        _host.Dispose();
        if (Directory.Exists(DataDirectory))
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
    }

    private static System.Text.Json.JsonElement ControllerHostIp(string sandboxKey, params string[] args) =>
        System.Text.Json.JsonDocument.Parse(TestNamespace.Run("nsenter", ["--net=" + sandboxKey, "ip", "-j", .. args])).RootElement.Clone();

    private static bool Ping(string sandboxKey, IPAddress to) =>
        TestNamespace.TryRun("nsenter", "--net=" + sandboxKey, "busybox", "ping", "-c", "1", "-W", "1", to.ToString()).ExitCode == 0;

    private async Task StartAsync()
    {
        _store = await SqliteKeyValueStore.OpenAsync(new SqliteStoreOptions { Path = Path.Combine(DataDirectory, "netstack.db") });
        _driver = new MacvlanDriver(new MacvlanDriverOptions { HostNamespacePath = _host.Namespace.Path });
        var registry = new DriverRegistry();
        registry.AddNetworkDriver(_driver);
        registry.AddIpamDriver(new DefaultIpamDriver(_store));
        _controller = new NetworkController(new ControllerOptions { NetnsDirectory = NetnsDirectory }, _store, registry);
    }

    private async Task StopAsync()
    {
        _controller?.Dispose();
        _driver?.Dispose();
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }
}
