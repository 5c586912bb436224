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
/// The controller with the real bridge driver, SQLite store and default IPAM, on namespaces: the
/// contract between them exercised end to end, a daemon restart included.
/// </summary>
public sealed class ControllerBridgeTests : IAsyncLifetime
{
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
        await StartAsync();
    }

    [PrivilegedFact]
    public async Task Controller_ConnectPublishRestartDelete_WorksAndLeavesNothing()
    {
        var network = await _controller.CreateNetworkAsync(new NetworkSpec
        {
            Name = "web",
            Ipam = new IpamSpec { Pools = [new IpamPoolSpec { Subnet = "10.90.0.0/24" }] },
        });
        await _controller.CreateSandboxAsync(new SandboxSpec { Name = "a" });
        await _controller.CreateSandboxAsync(new SandboxSpec { Name = "b" });
        var a = await _controller.ConnectAsync("web", "a", new EndpointSpec { PublishedPorts = [new PortBinding { ContainerPort = 80, HostPort = 8080 }] });
        var b = await _controller.ConnectAsync("web", "b");
        using var nsA = NetworkNamespace.Open(a.SandboxKey);
        using var nsB = NetworkNamespace.Open(b.SandboxKey);
        using var server = NamespaceSockets.TcpServer(nsA, 80, "a");

        Assert.Equal("eth0", a.InterfaceName);
        Assert.Equal(IPAddress.Parse("10.90.0.1"), a.Gateway);
        Assert.Equal(8080, Assert.Single(a.PublishedPorts).HostPort);
        Assert.Equal($"hello from a to {b.IPv4Address!.Value.Address}", await NamespaceSockets.TcpAsk(nsB, a.IPv4Address!.Value.Address, 80));
        Assert.Equal("hello from a to 10.90.0.1", await NamespaceSockets.TcpAsk(_host.Namespace, IPAddress.Loopback, 8080));

        // Restart: a new store handle, driver and controller; the bridge is deleted meanwhile.
        await StopAsync();
        _host.Ip("link", "del", "br-" + network.Id[..12]);
        await StartAsync();
        var report = await _controller.ReconcileAsync();

        Assert.True(report.Errors.Count == 0, string.Join("; ", report.Errors));
        Assert.Equal($"hello from a to {b.IPv4Address!.Value.Address}", await NamespaceSockets.TcpAsk(nsB, a.IPv4Address!.Value.Address, 80));
        Assert.Equal("hello from a to 10.90.0.1", await NamespaceSockets.TcpAsk(_host.Namespace, IPAddress.Loopback, 8080));

        await _controller.DisconnectAsync("web", "a");
        await _controller.DisconnectAsync("web", "b");
        await _controller.DeleteNetworkAsync("web");

        var links = _host.IpJson("link", "show").EnumerateArray().Select(l => l.GetProperty("ifname").GetString());
        Assert.Equal(["lo"], links);
        var rules = _host.Exec("iptables-save");
        Assert.DoesNotContain(network.Id, rules);
        Assert.DoesNotContain(a.Id, rules);
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
