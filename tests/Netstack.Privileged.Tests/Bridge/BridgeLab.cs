using System.Net;
using Netstack.Core;
using Netstack.Core.Drivers;
using Netstack.Drivers.Bridge;
using Netstack.Linux;
using Netstack.TestKit;

namespace Netstack.Privileged.Tests.Bridge;

/// <summary>A sandbox joined to a network: its namespace, the endpoint and its address.</summary>
internal sealed record LabSandbox(TestNamespace Ns, string NetworkId, string EndpointId, IPAddress Address, JoinResult Join);

/// <summary>
/// The machine of a bridge test, all in throwaway namespaces: a "host" namespace where the driver
/// puts its bridges and rules, an "internet" namespace joined to the host by a veth with addresses
/// from TEST-NET-2 (RFC 5737; it has no route back to container subnets, so only masqueraded
/// traffic gets answers), and a namespace per sandbox. Disposing removes every one of them.
/// </summary>
internal sealed class BridgeLab : IAsyncDisposable
{
    public static readonly IPAddress HostUplinkAddress = IPAddress.Parse("198.51.100.1");
    public static readonly IPAddress InternetAddress = IPAddress.Parse("198.51.100.2");

    private readonly List<TestNamespace> _namespaces = [];
    private readonly List<string> _networks = [];

    private BridgeLab(TestNamespace host, TestNamespace internet)
    {
        Host = host;
        Internet = internet;
        _namespaces.Add(internet);
        _namespaces.Add(host);
        Driver = new BridgeDriver(new BridgeDriverOptions { HostNamespacePath = host.Namespace.Path });
    }

    public TestNamespace Host { get; }

    public TestNamespace Internet { get; }

    public BridgeDriver Driver { get; }

    public static BridgeLab Create()
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
            return new BridgeLab(host, internet);
        }
        catch
        {
            internet?.Dispose();
            host.Dispose();
            throw;
        }
    }

    public static DriverNetwork Network(string subnet, IReadOnlyDictionary<string, string>? options = null, bool isInternal = false, string? id = null)
    {
        var net = IPNetwork.Parse(subnet);
        var gateway = IPNetworkMath.FromNumber(IPNetworkMath.ToNumber(net.BaseAddress) + 1, net.BaseAddress.AddressFamily);
        return new DriverNetwork
        {
            NetworkId = id ?? ObjectId.New(),
            Name = "test",
            Options = options ?? Empty.Options,
            Internal = isInternal,
            IPv4 = [new DriverIpamData { Subnet = net, Gateway = new CidrAddress(gateway, net.PrefixLength) }],
        };
    }

    public async Task<DriverNetwork> CreateNetworkAsync(string subnet, IReadOnlyDictionary<string, string>? options = null, bool isInternal = false)
    {
        var network = Network(subnet, options, isInternal);
        _networks.Add(network.NetworkId);
        await Driver.CreateNetworkAsync(network, CancellationToken.None);
        return network;
    }

    /// <summary>
    /// Creates an endpoint with <paramref name="address"/>, joins it to a new sandbox namespace (or
    /// <paramref name="into"/>) and does the controller's part: address, link up, default route.
    /// </summary>
    public async Task<LabSandbox> ConnectAsync(DriverNetwork network, string address, TestNamespace? into = null, string interfaceName = "eth0")
    {
        var ns = into ?? NewNamespace();
        var prefix = network.IPv4[0].Subnet.PrefixLength;
        var cidr = new CidrAddress(IPAddress.Parse(address), prefix);
        var endpointId = ObjectId.New();
        var created = await Driver.CreateEndpointAsync(new DriverEndpoint { NetworkId = network.NetworkId, EndpointId = endpointId, IPv4Address = cidr }, CancellationToken.None);
        var join = await Driver.JoinAsync(new JoinRequest
        {
            NetworkId = network.NetworkId,
            EndpointId = endpointId,
            SandboxKey = ns.Namespace.Path,
            InterfaceName = interfaceName,
            MacAddress = created.MacAddress,
            IPv4Address = cidr,
        }, CancellationToken.None);
        ns.Netlink.LinkSetUp("lo");
        ns.Netlink.AddrAdd(interfaceName, new InterfaceAddress(cidr.Address, prefix));
        ns.Netlink.LinkSetUp(interfaceName);
        if (join.Gateway is { } gateway)
        {
            ns.Netlink.RouteAdd(RouteSpec.DefaultVia(gateway, interfaceName));
        }
        return new LabSandbox(ns, network.NetworkId, endpointId, cidr.Address, join);
    }

    public TestNamespace NewNamespace()
    {
        var ns = TestNamespace.Create();
        _namespaces.Insert(0, ns);
        return ns;
    }

    /// <summary>True when one of up to three ICMP echoes (one second each, busybox ping) is answered.</summary>
    public static bool Ping(TestNamespace from, IPAddress to) =>
        Enumerable.Range(0, 3).Any(_ => PingOnce(from, to));

    /// <summary>One ICMP echo with a one-second wait; for checks that expect no answer.</summary>
    public static bool PingOnce(TestNamespace from, IPAddress to) =>
        from.TryExec("busybox", "ping", "-c", "1", "-W", "1", to.ToString()).ExitCode == 0;

    /// <summary>The host namespace's rules as iptables-save prints them.</summary>
    public string HostRules() => Host.Exec("iptables-save");

    public async ValueTask DisposeAsync()
    {
        foreach (var id in _networks)
        {
            try
            {
                await Driver.DeleteNetworkAsync(id, CancellationToken.None);
            }
            catch (NetstackException)
            {
                // The namespaces go below, and everything in them with them.
            }
        }
        Driver.Dispose();
        foreach (var ns in _namespaces)
        {
            ns.Dispose();
        }
    }
}
