using System.Net;
using System.Text.Json;
using Netstack.Core;
using Netstack.Core.Drivers;
using Netstack.Drivers.Overlay;
using Netstack.Linux;
using Netstack.TestKit;

namespace Netstack.Privileged.Tests.Overlay;

/// <summary>
/// Two "hosts" as namespaces joined by a veth underlay (192.168.77.1/24 and .2/24, RFC 1918 space
/// that exists only inside these namespaces), each with its own <see cref="OverlayDriver"/> whose
/// netlink work happens in that host namespace and whose overlay namespaces go to a private
/// directory, sharing one <see cref="InMemoryDriverTables"/> as the gossip layer. Sandboxes are
/// further namespaces. Dispose deletes the networks, every namespace, the directories' mounts and
/// the directories, failure included.
/// </summary>
internal sealed class OverlayLab : IAsyncDisposable
{
    public const string UnderlayName = "underlay";
    public const string Subnet = "10.77.0.0/24";

    private readonly List<TestNamespace> _sandboxes = [];
    private readonly List<string> _networks = [];

    private OverlayLab(OverlayHost a, OverlayHost b, InMemoryDriverTables tables)
    {
        A = a;
        B = b;
        Tables = tables;
    }

    public OverlayHost A { get; }

    public OverlayHost B { get; }

    public InMemoryDriverTables Tables { get; }

    public static OverlayLab Create(int underlayMtu = 1500)
    {
        var tables = new InMemoryDriverTables();
        var hostA = TestNamespace.Create();
        TestNamespace? hostB = null;
        OverlayHost? a = null;
        try
        {
            hostB = TestNamespace.Create();
            hostA.Netlink.LinkSetUp("lo");
            hostB.Netlink.LinkSetUp("lo");
            hostA.Netlink.LinkAdd(new VethSpec(UnderlayName, UnderlayName) { Up = true, Mtu = underlayMtu, PeerMtu = underlayMtu, PeerNamespace = hostB.Namespace, PeerUp = true });
            hostA.Netlink.AddrAdd(UnderlayName, new InterfaceAddress(IPAddress.Parse("192.168.77.1"), 24));
            hostB.Netlink.AddrAdd(UnderlayName, new InterfaceAddress(IPAddress.Parse("192.168.77.2"), 24));
            a = new OverlayHost("node-a", hostA, IPAddress.Parse("192.168.77.1"), tables);
            var b = new OverlayHost("node-b", hostB, IPAddress.Parse("192.168.77.2"), tables);
            return new OverlayLab(a, b, tables);
        }
        catch
        {
            if (a is not null)
            {
                a.Dispose();
            }
            else
            {
                hostA.Dispose();
            }
            hostB?.Dispose();
            throw;
        }
    }

    /// <summary>A network as the controller hands it over, with the VNI the controller allocated.</summary>
    public static DriverNetwork Network(uint vni = 4097, IReadOnlyDictionary<string, string>? extra = null)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal) { [DockerOptions.OverlayVxlanIdList] = vni.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            options[key] = value;
        }
        var subnet = IPNetwork.Parse(Subnet);
        return new DriverNetwork
        {
            NetworkId = ObjectId.New(),
            Name = "ov",
            Options = options,
            IPv4 = [new DriverIpamData { Subnet = subnet, Gateway = new CidrAddress(IPAddress.Parse("10.77.0.1"), 24) }],
        };
    }

    /// <summary>Creates the network on both hosts (a global network exists on every node); deleted on Dispose.</summary>
    public async Task<DriverNetwork> CreateNetworkAsync(DriverNetwork network)
    {
        _networks.Add(network.NetworkId);
        await A.Driver.CreateNetworkAsync(network, CancellationToken.None);
        await B.Driver.CreateNetworkAsync(network, CancellationToken.None);
        return network;
    }

    /// <summary>
    /// Creates an endpoint on <paramref name="host"/>, joins it to a new sandbox and does the
    /// controller's part: addresses, lo and the interface up.
    /// </summary>
    public async Task<OverlaySandbox> ConnectAsync(OverlayHost host, DriverNetwork network, string address)
    {
        var ns = TestNamespace.Create();
        _sandboxes.Add(ns);
        var cidr = new CidrAddress(IPAddress.Parse(address), 24);
        var endpointId = ObjectId.New();
        var created = await host.Driver.CreateEndpointAsync(new DriverEndpoint { NetworkId = network.NetworkId, EndpointId = endpointId, IPv4Address = cidr }, CancellationToken.None);
        var join = await host.Driver.JoinAsync(new JoinRequest
        {
            NetworkId = network.NetworkId,
            EndpointId = endpointId,
            SandboxKey = ns.Namespace.Path,
            InterfaceName = "eth0",
            MacAddress = created.MacAddress,
            IPv4Address = cidr,
        }, CancellationToken.None);
        ns.Netlink.LinkSetUp("lo");
        ns.Netlink.AddrAdd("eth0", new InterfaceAddress(cidr.Address, 24));
        ns.Netlink.LinkSetUp("eth0");
        return new OverlaySandbox(ns, host, network.NetworkId, endpointId, cidr.Address, created.MacAddress, join);
    }

    public static async Task DisconnectAsync(OverlaySandbox sandbox)
    {
        await sandbox.Host.Driver.LeaveAsync(sandbox.NetworkId, sandbox.EndpointId, CancellationToken.None);
        await sandbox.Host.Driver.DeleteEndpointAsync(sandbox.NetworkId, sandbox.EndpointId, CancellationToken.None);
    }

    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="seconds"/> pass; the table delivers asynchronously.</summary>
    public static async Task<bool> EventuallyAsync(Func<bool> condition, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < deadline)
        {
            if (condition())
            {
                return true;
            }
            await Task.Delay(100);
        }
        return condition();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var id in _networks)
        {
            foreach (var host in new[] { A, B })
            {
                try
                {
                    await host.Driver.DeleteNetworkAsync(id, CancellationToken.None);
                }
                catch (NetstackException)
                {
                    // The namespaces go below, and everything in them with them.
                }
            }
        }
        for (var i = _sandboxes.Count - 1; i >= 0; i--)
        {
            _sandboxes[i].Dispose();
        }
        B.Dispose();
        A.Dispose();
    }
}

/// <summary>One host of an <see cref="OverlayLab"/>: its namespace, its overlay-namespace directory and its driver.</summary>
internal sealed class OverlayHost : IDisposable
{
    private readonly InMemoryDriverTables _tables;

    public OverlayHost(string node, TestNamespace ns, IPAddress vtep, InMemoryDriverTables tables)
    {
        Node = node;
        Namespace = ns;
        Vtep = vtep;
        NamespaceDirectory = $"/run/{TestNamespace.NewName()}-ov";
        _tables = tables;
        Driver = NewDriver();
    }

    public string Node { get; }

    public TestNamespace Namespace { get; }

    public IPAddress Vtep { get; }

    public string NamespaceDirectory { get; }

    public OverlayDriver Driver { get; private set; }

    /// <summary>A daemon restart: the driver goes (kernel state stays) and a new one starts, knowing nothing until reconcile.</summary>
    public void RestartDriver()
    {
        Driver.Dispose();
        Driver = NewDriver();
    }

    private OverlayDriver NewDriver() => new(new OverlayDriverOptions
    {
        AdvertiseAddress = Vtep,
        HostNamespacePath = Namespace.Namespace.Path,
        NamespaceDirectory = NamespaceDirectory,
    }, _tables.Node(Node));

    /// <summary>Names of the overlay namespaces this host's driver has made.</summary>
    public IReadOnlyList<string> OverlayNamespaces() => NetworkNamespace.List(NamespaceDirectory);

    /// <summary>Runs <c>ip -j ARGS</c> inside the overlay namespace <paramref name="name"/> and parses the JSON.</summary>
    public JsonElement IpJsonIn(string name, params string[] args) => Json(TestNamespace.Run("nsenter", ["--net=" + Path.Combine(NamespaceDirectory, name), "ip", "-j", .. args]));

    /// <summary>Runs <c>bridge -j ARGS</c> inside the overlay namespace <paramref name="name"/> and parses the JSON.</summary>
    public JsonElement BridgeJsonIn(string name, params string[] args) => Json(TestNamespace.Run("nsenter", ["--net=" + Path.Combine(NamespaceDirectory, name), "bridge", "-j", .. args]));

    /// <summary>Runs a command inside the overlay namespace.</summary>
    public (int ExitCode, string Output, string Error) ExecIn(string name, params string[] args) => TestNamespace.TryRun("nsenter", ["--net=" + Path.Combine(NamespaceDirectory, name), .. args]);

    public void Dispose()
    {
        Driver.Dispose();
        foreach (var name in NetworkNamespace.List(NamespaceDirectory))
        {
            try
            {
                NetworkNamespace.Delete(name, NamespaceDirectory);
            }
            catch (NetlinkException)
            {
                // already gone
            }
        }
        if (Directory.Exists(NamespaceDirectory))
        {
            // The namespace layer made the directory a shared bind mount of itself; undo that, then remove it.
            TestNamespace.TryRun("umount", ["-l", NamespaceDirectory]);
            Directory.Delete(NamespaceDirectory, recursive: true);
        }
        Namespace.Dispose();
    }

    private static JsonElement Json(string text)
    {
        using var document = JsonDocument.Parse(string.IsNullOrWhiteSpace(text) ? "[]" : text);
        return document.RootElement.Clone();
    }
}

/// <summary>A sandbox joined to an overlay network on one host.</summary>
internal sealed record OverlaySandbox(TestNamespace Ns, OverlayHost Host, string NetworkId, string EndpointId, IPAddress Address, string MacAddress, JoinResult Join);
