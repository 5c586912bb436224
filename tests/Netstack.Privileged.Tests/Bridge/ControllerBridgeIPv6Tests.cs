using System.Net;
using Netstack.Controller;
using Netstack.Core;
using Netstack.Core.Drivers;
using Netstack.Drivers.Bridge;
using Netstack.Ipam;
using Netstack.Linux;
using Netstack.Store;
using Netstack.TestKit;
using Xunit;

namespace Netstack.Privileged.Tests.Bridge;

/// <summary>
/// The controller with the real bridge driver on an IPv6 network: dual-stack endpoints, published
/// ports in both families as the controller stores them, ip6tables rules rebuilt by reconcile after
/// a restart, and nothing left after delete.
/// </summary>
public sealed class ControllerBridgeIPv6Tests : IAsyncLifetime
{
    // A host address of the test host (on lo), from the documentation prefix (RFC 3849).
    private static readonly IPAddress HostV6 = IPAddress.Parse("2001:db8:91::1");

    private readonly string _suffix = TestNamespace.NewName();
    private TestNamespace _host = null!;
    private SqliteKeyValueStore _store = null!;
    private BridgeDriver _driver = null!;
    private NetworkController _controller = null!;

    private string NetnsDirectory => $"/run/{_suffix}-netns";

    private string DataDirectory => Path.Combine(Path.GetTempPath(), _suffix);

    public async Task InitializeAsync()
    {
        _host = TestNamespace.Create();
        _host.Netlink.LinkSetUp("lo");
        _host.Netlink.AddrAdd("lo", new InterfaceAddress(HostV6, 128), noDad: true);
        await StartAsync();
    }

    [PrivilegedFact]
    public async Task IPv6Network_ConnectPublishRestartDelete_BothFamiliesWorkAndNothingIsLeft()
    {
        var network = await _controller.CreateNetworkAsync(new NetworkSpec
        {
            Name = "web6",
            EnableIPv6 = true,
            Ipam = new IpamSpec { Pools = [new IpamPoolSpec { Subnet = "10.91.0.0/24" }, new IpamPoolSpec { Subnet = "fd00:91::/64" }] },
        });
        await _controller.CreateSandboxAsync(new SandboxSpec { Name = "a" });
        await _controller.CreateSandboxAsync(new SandboxSpec { Name = "b" });
        var a = await _controller.ConnectAsync("web6", "a", new EndpointSpec { PublishedPorts = [new PortBinding { ContainerPort = 80, HostPort = 8080 }] });
        var b = await _controller.ConnectAsync("web6", "b");
        using var nsA = NetworkNamespace.Open(a.SandboxKey);
        using var nsB = NetworkNamespace.Open(b.SandboxKey);
        using var server = NamespaceSockets.TcpServer(nsA, 80, "a", dualStack: true);
        var addressA = a.IPv6Address!.Value.Address;

        Assert.Equal(IPAddress.Parse("fd00:91::1"), a.GatewayIPv6);
        Assert.Equal([("0.0.0.0", 8080), ("::", 8080)], a.PublishedPorts.Select(p => (p.HostIp!.ToString(), p.HostPort)));
        Assert.Equal($"hello from a to {b.IPv6Address!.Value.Address}", await NamespaceSockets.TcpAsk(nsB, addressA, 80));
        Assert.Equal("hello from a to fd00:91::1", await NamespaceSockets.TcpAsk(_host.Namespace, HostV6, 8080));
        Assert.Equal("hello from a to 10.91.0.1", await NamespaceSockets.TcpAsk(_host.Namespace, IPAddress.Loopback, 8080));

        // Restart: the bridge and the IPv6 DNAT rules are gone meanwhile; reconcile rebuilds both
        // from the store (the [::] binding is stored as the driver resolved it).
        await StopAsync();
        _host.Ip("link", "del", "br-" + network.Id[..12]);
        _host.Exec("ip6tables", "-t", "nat", "-F", BridgeChains.Dnat);
        await StartAsync();
        var report = await _controller.ReconcileAsync();

        Assert.True(report.Errors.Count == 0, string.Join("; ", report.Errors));
        Assert.Equal($"hello from a to {b.IPv6Address!.Value.Address}", await NamespaceSockets.TcpAsk(nsB, addressA, 80));
        Assert.Equal("hello from a to fd00:91::1", await NamespaceSockets.TcpAsk(_host.Namespace, HostV6, 8080));

        await _controller.DisconnectAsync("web6", "a");
        await _controller.DisconnectAsync("web6", "b");
        await _controller.DeleteNetworkAsync("web6");

        Assert.Equal(["lo"], _host.IpJson("link", "show").EnumerateArray().Select(l => l.GetProperty("ifname").GetString()));
        foreach (var rules in new[] { _host.Exec("ip6tables-save"), _host.Exec("iptables-save") })
        {
            Assert.DoesNotContain(network.Id, rules, StringComparison.Ordinal);
            Assert.DoesNotContain(a.Id, rules, StringComparison.Ordinal);
        }
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
        _host.Dispose();
        if (Directory.Exists(DataDirectory))
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
    }

    private async Task StartAsync()
    {
        _store = await SqliteKeyValueStore.OpenAsync(new SqliteStoreOptions { Path = Path.Combine(DataDirectory, "netstack.db") });
        _driver = new BridgeDriver(new BridgeDriverOptions { HostNamespacePath = _host.Namespace.Path });
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
