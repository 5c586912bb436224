using System.Net;
using Netstack.Core;
using Netstack.Core.Drivers;
using Netstack.Drivers.Bridge;
using Netstack.Linux;
using Netstack.TestKit;

namespace Netstack.Privileged.Tests.Bridge;

/// <summary>A sandbox joined to a network: its namespace, the endpoint and its address.</summary>
internal sealed record LabSandbox(TestNamespace Ns, string NetworkId, string EndpointId, IPAddress Address, JoinResult Join)
{
    /// <summary>The sandbox's IPv6 address on an IPv6 network, else null.</summary>
    public IPAddress? AddressV6 { get; init; }
}

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

    /// <summary>The uplink's IPv6 addresses, from the documentation prefix (RFC 3849); "the internet" has no route to container subnets.</summary>
    public static readonly IPAddress HostUplinkAddressV6 = IPAddress.Parse("2001:db8:ff::1");

    public static readonly IPAddress InternetAddressV6 = IPAddress.Parse("2001:db8:ff::2");

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
            // No DAD: a tentative address would be unusable for the first second of the test.
            host.Netlink.AddrAdd("uplink", new InterfaceAddress(HostUplinkAddressV6, 64), noDad: true);
            internet.Netlink.AddrAdd("wan0", new InterfaceAddress(InternetAddressV6, 64), noDad: true);
            return new BridgeLab(host, internet);
        }
        catch
        {
            internet?.Dispose();
            host.Dispose();
            throw;
        }
    }

    /// <summary>A network with the first address of each subnet as its gateway; IPv6 on when <paramref name="subnetV6"/> is given.</summary>
    public static DriverNetwork Network(string subnet, IReadOnlyDictionary<string, string>? options = null, bool isInternal = false, string? id = null, string? subnetV6 = null)
    {
        return new DriverNetwork
        {
            NetworkId = id ?? ObjectId.New(),
            Name = "test",
            Options = options ?? Empty.Options,
            Internal = isInternal,
            IPv4 = [Ipam(subnet)],
            EnableIPv6 = subnetV6 is not null,
            IPv6 = subnetV6 is null ? [] : [Ipam(subnetV6)],
        };

        static DriverIpamData Ipam(string subnet)
        {
            var net = IPNetwork.Parse(subnet);
            var gateway = IPNetworkMath.FromNumber(IPNetworkMath.ToNumber(net.BaseAddress) + 1, net.BaseAddress.AddressFamily);
            return new DriverIpamData { Subnet = net, Gateway = new CidrAddress(gateway, net.PrefixLength) };
        }
    }

    public async Task<DriverNetwork> CreateNetworkAsync(string subnet, IReadOnlyDictionary<string, string>? options = null, bool isInternal = false, string? subnetV6 = null)
    {
        var network = Network(subnet, options, isInternal, subnetV6: subnetV6);
        _networks.Add(network.NetworkId);
        await Driver.CreateNetworkAsync(network, CancellationToken.None);
        return network;
    }

    /// <summary>
    /// Creates an endpoint with <paramref name="address"/>, joins it to a new sandbox namespace (or
    /// <paramref name="into"/>) and does the controller's part: address, link up, default route.
    /// </summary>
    public async Task<LabSandbox> ConnectAsync(DriverNetwork network, string address, TestNamespace? into = null, string interfaceName = "eth0", string? addressV6 = null)
    {
        var ns = into ?? NewNamespace();
        var prefix = network.IPv4[0].Subnet.PrefixLength;
        var cidr = new CidrAddress(IPAddress.Parse(address), prefix);
        CidrAddress? cidrV6 = addressV6 is null ? null : new CidrAddress(IPAddress.Parse(addressV6), network.IPv6[0].Subnet.PrefixLength);
        var endpointId = ObjectId.New();
        var created = await Driver.CreateEndpointAsync(new DriverEndpoint { NetworkId = network.NetworkId, EndpointId = endpointId, IPv4Address = cidr, IPv6Address = cidrV6 }, CancellationToken.None);
        var join = await Driver.JoinAsync(new JoinRequest
        {
            NetworkId = network.NetworkId,
            EndpointId = endpointId,
            SandboxKey = ns.Namespace.Path,
            InterfaceName = interfaceName,
            MacAddress = created.MacAddress,
            IPv4Address = cidr,
            IPv6Address = cidrV6,
        }, CancellationToken.None);
        ns.Netlink.LinkSetUp("lo");
        ns.Netlink.AddrAdd(interfaceName, new InterfaceAddress(cidr.Address, prefix));
        if (cidrV6 is { } v6)
        {
            // As the controller does: DAD off, so the address is usable at once.
            ns.Netlink.AddrAdd(interfaceName, new InterfaceAddress(v6.Address, v6.PrefixLength), noDad: true);
        }
        ns.Netlink.LinkSetUp(interfaceName);
        if (join.Gateway is { } gateway)
        {
            ns.Netlink.RouteAdd(RouteSpec.DefaultVia(gateway, interfaceName));
        }
        if (cidrV6 is not null && join.GatewayIPv6 is { } gatewayV6)
        {
            ns.Netlink.RouteAdd(RouteSpec.DefaultVia(gatewayV6, interfaceName));
        }
        return new LabSandbox(ns, network.NetworkId, endpointId, cidr.Address, join) { AddressV6 = cidrV6?.Address };
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

    /// <summary>The host namespace's IPv6 rules as ip6tables-save prints them.</summary>
    public string HostRulesV6() => Host.Exec("ip6tables-save");

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
