using System.Net;
using System.Text.Json;
using Netstack.Controller;
using Netstack.Core;
using Netstack.Core.Drivers;
using Netstack.Drivers.Bridge;
using Netstack.Drivers.Overlay;
using Netstack.Ipam;
using Netstack.Linux;
using Netstack.Privileged.Tests.Bridge;
using Netstack.Store;
using Netstack.TestKit;
using Xunit;

namespace Netstack.Privileged.Tests.Controller;

/// <summary>
/// The gateway network on real namespaces: the controller with the real overlay driver (global
/// network on an in-memory cluster store, peers through <see cref="InMemoryDriverTables"/>) and the
/// real bridge driver, a test namespace as the host and another as "the internet" behind the host's
/// uplink. A sandbox on the overlay gets eth1 on netstack_gwbridge with the default route, reaches
/// the internet masqueraded, and its published port answers through the gateway bridge.
/// </summary>
public sealed class ControllerGatewayNetworkTests
{
    private static readonly IPAddress HostUplinkAddress = IPAddress.Parse("198.51.100.1");
    private static readonly IPAddress InternetAddress = IPAddress.Parse("198.51.100.2");
    private const int InternetPort = 7070;

    [PrivilegedFact]
    public async Task OverlaySandbox_GetsGatewayBridge_DefaultRouteMasqueradeAndPublishedPort_RemovedWithIt()
    {
        await using var lab = GatewayLab.Create();
        var overlay = await lab.Controller.CreateNetworkAsync(new NetworkSpec
        {
            Name = "ov1",
            Driver = "overlay",
            Ipam = new IpamSpec { Pools = [new IpamPoolSpec { Subnet = "10.77.0.0/24" }] },
        });
        var sandbox = await lab.Controller.CreateSandboxAsync(new SandboxSpec { Name = "c1", ContainerId = new string('a', 64) });

        var endpoint = await lab.Controller.ConnectAsync("ov1", "c1", new EndpointSpec { PublishedPorts = [new PortBinding { ContainerPort = 80, HostPort = 8080 }] });

        var gw = await lab.Controller.GetNetworkAsync("netstack_gwbridge");
        var gatewayEndpoint = Assert.Single(gw.Endpoints);
        var gwGateway = gw.Ipam.Pools[0].Gateway!.Value.Address;
        Assert.Equal("gateway_aaaaaaaaaaaa", gatewayEndpoint.Name);
        Assert.Equal("eth0", endpoint.InterfaceName);
        Assert.Equal("eth1", gatewayEndpoint.InterfaceName);
        Assert.Contains(await lab.Controller.ListNetworksAsync(), n => n.Name == "netstack_gwbridge" && n.Driver == "bridge");
        // The kernel: eth1 has its address on the gateway bridge's subnet and the default route goes through it.
        var route = Assert.Single(IpJsonIn(sandbox.Key, "-4", "route", "show", "default").EnumerateArray());
        Assert.Equal("eth1", route.GetProperty("dev").GetString());
        Assert.Equal(gwGateway.ToString(), route.GetProperty("gateway").GetString());
        var eth1 = IpJsonIn(sandbox.Key, "-4", "addr", "show", "dev", "eth1").EnumerateArray().Single()
            .GetProperty("addr_info").EnumerateArray().Single().GetProperty("local").GetString();
        Assert.Equal(gatewayEndpoint.IPv4Address!.Value.Address.ToString(), eth1);
        Assert.True(gw.Ipam.Pools[0].Subnet.Contains(IPAddress.Parse(eth1!)));
        Assert.Contains("ns_gwbridge", lab.Host.IpJson("link", "show", "type", "bridge").EnumerateArray().Select(l => l.GetProperty("ifname").GetString()));

        using var ns = NetworkNamespace.Open(sandbox.Key);
        using (NamespaceSockets.TcpServer(lab.Internet.Namespace, InternetPort, "internet"))
        {
            // Out through eth1 and the host's uplink, masqueraded to the host's address.
            Assert.Equal("hello from internet to 198.51.100.1", await NamespaceSockets.TcpAsk(ns, InternetAddress, InternetPort));
        }
        using (NamespaceSockets.TcpServer(ns, 80, "c1"))
        {
            // The published port: from the internet by DNAT, and from the host namespace itself.
            Assert.Equal("hello from c1 to 198.51.100.2", await NamespaceSockets.TcpAsk(lab.Internet.Namespace, HostUplinkAddress, 8080));
            Assert.Equal($"hello from c1 to {gwGateway}", await NamespaceSockets.TcpAsk(lab.Host.Namespace, HostUplinkAddress, 8080));
            Assert.Equal($"hello from c1 to {gwGateway}", await NamespaceSockets.TcpAsk(lab.Host.Namespace, IPAddress.Loopback, 8080));
        }

        await lab.Controller.DisconnectAsync("ov1", "c1");

        Assert.Empty((await lab.Controller.GetNetworkAsync("netstack_gwbridge")).Endpoints);
        var left = IpJsonIn(sandbox.Key, "link", "show").EnumerateArray().Select(l => l.GetProperty("ifname").GetString());
        Assert.Equal(["lo"], left);
        Assert.DoesNotContain(gatewayEndpoint.Id, Firewall.TestFirewall.RulesText(lab.Host));
        await lab.Controller.DeleteSandboxAsync("c1");
        await lab.Controller.DeleteNetworkAsync("ov1");
        await lab.Controller.DeleteNetworkAsync("netstack_gwbridge");
        var links = lab.Host.IpJson("link", "show").EnumerateArray().Select(l => l.GetProperty("ifname").GetString());
        Assert.Equal(["lo", "uplink"], links);
        Assert.DoesNotContain(gw.Id, Firewall.TestFirewall.RulesText(lab.Host));
        Assert.Empty(lab.OverlayNamespaces());
        Assert.NotEmpty(overlay.Id);
    }

    [PrivilegedFact]
    public async Task InternalOverlay_NoGatewayBridge_NoDefaultRoute()
    {
        await using var lab = GatewayLab.Create();
        await lab.Controller.CreateNetworkAsync(new NetworkSpec
        {
            Name = "ov1",
            Driver = "overlay",
            Internal = true,
            Ipam = new IpamSpec { Pools = [new IpamPoolSpec { Subnet = "10.78.0.0/24" }] },
        });
        var sandbox = await lab.Controller.CreateSandboxAsync(new SandboxSpec { Name = "c1" });

        await lab.Controller.ConnectAsync("ov1", "c1");

        Assert.DoesNotContain(await lab.Controller.ListNetworksAsync(), n => n.Name == "netstack_gwbridge");
        Assert.Empty(IpJsonIn(sandbox.Key, "-4", "route", "show", "default").EnumerateArray());
        Assert.Equal(["eth0", "lo"], IpJsonIn(sandbox.Key, "link", "show").EnumerateArray().Select(l => l.GetProperty("ifname").GetString()).Order());
        await lab.Controller.DeleteSandboxAsync("c1", force: true);
        await lab.Controller.DeleteNetworkAsync("ov1");
    }

    [PrivilegedFact]
    public async Task Restart_GatewayEndpointOfRemovedOverlayEndpoint_IsRemovedByReconcile()
    {
        await using var lab = GatewayLab.Create();
        await lab.Controller.CreateNetworkAsync(new NetworkSpec
        {
            Name = "ov1",
            Driver = "overlay",
            Ipam = new IpamSpec { Pools = [new IpamPoolSpec { Subnet = "10.79.0.0/24" }] },
        });
        var sandbox = await lab.Controller.CreateSandboxAsync(new SandboxSpec { Name = "c1" });
        var endpoint = await lab.Controller.ConnectAsync("ov1", "c1");
        var gatewayEndpoint = Assert.Single((await lab.Controller.GetNetworkAsync("netstack_gwbridge")).Endpoints);

        // The daemon goes down; its overlay endpoint's record is lost as if its connect had never
        // been acknowledged (kill -9 between the gateway endpoint's and its own acknowledgement).
        lab.Stop();
        await lab.Local.DeleteAsync($"endpoints/{endpoint.NetworkId}/{endpoint.Id}");
        lab.Start();
        var report = await lab.Controller.ReconcileAsync();

        Assert.True(report.Errors.Count == 0, string.Join("; ", report.Errors));
        Assert.Contains(report.Removed, r => r.Contains(gatewayEndpoint.Name, StringComparison.Ordinal));
        Assert.Empty((await lab.Controller.GetNetworkAsync("netstack_gwbridge")).Endpoints);
        Assert.Empty(IpJsonIn(sandbox.Key, "-4", "route", "show", "default").EnumerateArray());
        Assert.DoesNotContain("eth1", IpJsonIn(sandbox.Key, "link", "show").EnumerateArray().Select(l => l.GetProperty("ifname").GetString()));
        Assert.DoesNotContain(gatewayEndpoint.Id, Firewall.TestFirewall.RulesText(lab.Host));
    }

    private static JsonElement IpJsonIn(string path, params string[] args)
    {
        var output = TestNamespace.Run("nsenter", [$"--net={path}", "ip", "-j", .. args]);
        using var document = JsonDocument.Parse(string.IsNullOrWhiteSpace(output) ? "[]" : output);
        return document.RootElement.Clone();
    }

    /// <summary>
    /// Host and internet namespaces joined by uplink/wan0 (198.51.100.0/24, documentation space that
    /// exists only here), a controller with the bridge and overlay drivers doing their netlink work
    /// in the host namespace, stores in memory (they survive <see cref="Stop"/>/<see cref="Start"/>).
    /// Dispose removes every namespace and directory made, failure included.
    /// </summary>
    private sealed class GatewayLab : IAsyncDisposable
    {
        private readonly InMemoryKeyValueStore _cluster = new() { Address = "memory://cluster" };
        private readonly InMemoryDriverTables _tables = new();
        private readonly string _netnsDirectory = $"/run/{TestNamespace.NewName()}-netns";
        private readonly string _overlayDirectory = $"/run/{TestNamespace.NewName()}-ov";
        private BridgeDriver? _bridge;
        private OverlayDriver? _overlay;

        private GatewayLab(TestNamespace host, TestNamespace internet)
        {
            Host = host;
            Internet = internet;
        }

        public TestNamespace Host { get; }

        public TestNamespace Internet { get; }

        public InMemoryKeyValueStore Local { get; } = new();

        public NetworkController Controller { get; private set; } = null!;

        public static GatewayLab Create()
        {
            var host = TestNamespace.Create();
            TestNamespace? internet = null;
            try
            {
                internet = TestNamespace.Create();
                host.Netlink.LinkSetUp("lo");
                internet.Netlink.LinkSetUp("lo");
                host.Netlink.LinkAdd(new VethSpec("uplink", "wan0") { Up = true, PeerNamespace = internet.Namespace, PeerUp = true });
                host.Netlink.AddrAdd("uplink", new InterfaceAddress(HostUplinkAddress, 24));
                internet.Netlink.AddrAdd("wan0", new InterfaceAddress(InternetAddress, 24));
                var lab = new GatewayLab(host, internet);
                lab.Start();
                return lab;
            }
            catch
            {
                internet?.Dispose();
                host.Dispose();
                throw;
            }
        }

        /// <summary>New drivers and controller on the same stores and kernel: the daemon starting.</summary>
        public void Start()
        {
            _bridge = new BridgeDriver(new BridgeDriverOptions { HostNamespacePath = Host.Namespace.Path, FirewallBackend = Firewall.TestFirewall.Backend });
            _overlay = new OverlayDriver(new OverlayDriverOptions
            {
                AdvertiseAddress = HostUplinkAddress,
                HostNamespacePath = Host.Namespace.Path,
                NamespaceDirectory = _overlayDirectory,
            }, _tables.Node("node-a"));
            var registry = new DriverRegistry();
            registry.AddNetworkDriver(_bridge);
            registry.AddNetworkDriver(_overlay);
            registry.AddIpamDriver(new DefaultIpamDriver(Local, _cluster, nodeName: "node-a"));
            Controller = new NetworkController(new ControllerOptions { NetnsDirectory = _netnsDirectory, NodeName = "node-a" }, Local, registry, globalStore: _cluster);
        }

        /// <summary>The daemon going down: controller and drivers closed, kernel objects stay.</summary>
        public void Stop()
        {
            Controller.Dispose();
            _bridge?.Dispose();
            _overlay?.Dispose();
            _bridge = null;
            _overlay = null;
        }

        public IReadOnlyList<string> OverlayNamespaces() => NetworkNamespace.List(_overlayDirectory);

        public ValueTask DisposeAsync()
        {
            try
            {
                Stop();
            }
            finally
            {
                foreach (var directory in new[] { _netnsDirectory, _overlayDirectory })
                {
                    foreach (var name in NetworkNamespace.List(directory))
                    {
                        try
                        {
                            NetworkNamespace.Delete(name, directory);
                        }
                        catch (NetlinkException)
                        {
                            // already gone
                        }
                    }
                    if (Directory.Exists(directory))
                    {
                        // The namespace layer made the directory a shared bind mount of itself; undo that, then remove it.
                        TestNamespace.TryRun("umount", ["-l", directory]);
                        Directory.Delete(directory, recursive: true);
                    }
                }
                Internet.Dispose();
                Host.Dispose();
            }
            return ValueTask.CompletedTask;
        }
    }
}
