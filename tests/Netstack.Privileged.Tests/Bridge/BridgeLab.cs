using System.Net;
using Netstack.Core;
using Netstack.Core.Drivers;
using Netstack.Drivers.Bridge;
using Netstack.Linux;
using Netstack.TestKit;

namespace Netstack.Privileged.Tests.Bridge;

/// <summary>
/// The machine of a bridge test, all in throwaway namespaces: a "host" namespace where the driver
/// puts its bridges and rules, an "internet" namespace joined to the host by a veth with addresses
/// from TEST-NET-2 (RFC 5737; it has no route back to container subnets, so only masqueraded
/// traffic gets answers), and a namespace per sandbox. Disposing removes every one of them.
/// </summary>
internal sealed class BridgeLab : DriverLab<BridgeDriver>
{
    public static readonly IPAddress HostUplinkAddress = IPAddress.Parse("198.51.100.1");
    public static readonly IPAddress InternetAddress = IPAddress.Parse("198.51.100.2");

    /// <summary>The uplink's IPv6 addresses, from the documentation prefix (RFC 3849); "the internet" has no route to container subnets.</summary>
    public static readonly IPAddress HostUplinkAddressV6 = IPAddress.Parse("2001:db8:ff::1");

    public static readonly IPAddress InternetAddressV6 = IPAddress.Parse("2001:db8:ff::2");

    private BridgeLab(TestNamespace host, TestNamespace internet)
        : base(host, internet, NewDriver(host))
    {
        Internet = internet;
    }

    public TestNamespace Internet { get; }

    public static BridgeLab Create()
    {
        var (host, internet) = LabHost.Create(AttachInternet);
        return new BridgeLab(host, internet);
    }

    /// <summary>
    /// A controller with the bridge driver on a host namespace with lo up (published ports are
    /// tested through 127.0.0.1); <paramref name="prepareHost"/> adds what a test needs there.
    /// </summary>
    public static Task<ControllerLab> ControllerLabAsync(Action<TestNamespace>? prepareHost = null) =>
        ControllerLab.CreateAsync(NewDriver, host =>
        {
            host.Netlink.LinkSetUp("lo");
            prepareHost?.Invoke(host);
            return null;
        });

    /// <summary>A network with the first address of each subnet as its gateway; IPv6 on when <paramref name="subnetV6"/> is given.</summary>
    public static DriverNetwork Network(string subnet, IReadOnlyDictionary<string, string>? options = null, bool isInternal = false, string? id = null, string? subnetV6 = null) => new()
    {
        NetworkId = id ?? ObjectId.New(),
        Name = "test",
        Options = options ?? Empty.Options,
        Internal = isInternal,
        IPv4 = [Ipam(subnet)],
        EnableIPv6 = subnetV6 is not null,
        IPv6 = subnetV6 is null ? [] : [Ipam(subnetV6)],
    };

    public Task<DriverNetwork> CreateNetworkAsync(string subnet, IReadOnlyDictionary<string, string>? options = null, bool isInternal = false, string? subnetV6 = null) =>
        CreateNetworkAsync(Network(subnet, options, isInternal, subnetV6: subnetV6));

    /// <summary>The host namespace's rules as iptables-save prints them.</summary>
    public string HostRules() => Firewall.TestFirewall.IsNftables ? NftTable("ip") : Host.Exec("iptables-save");

    /// <summary>The host namespace's IPv6 rules as ip6tables-save prints them.</summary>
    public string HostRulesV6() => Firewall.TestFirewall.IsNftables ? NftTable("ip6") : Host.Exec("ip6tables-save");

    // With the nftables backend: netstack's table of the family as nft prints it (empty when there is none).
    private string NftTable(string family)
    {
        var (code, output, _) = Host.TryExec("nft", "list", "table", family, "netstack");
        return code == 0 ? output : "";
    }

    private static BridgeDriver NewDriver(TestNamespace host) =>
        new(new BridgeDriverOptions { HostNamespacePath = host.Namespace.Path, FirewallBackend = Firewall.TestFirewall.Backend });

    /// <summary>The "internet" namespace and the veth uplink/wan0 between it and <paramref name="host"/>.</summary>
    private static TestNamespace AttachInternet(TestNamespace host)
    {
        var internet = TestNamespace.Create();
        try
        {
            host.Netlink.LinkSetUp("lo");
            internet.Netlink.LinkSetUp("lo");
            host.Netlink.LinkAdd(new VethSpec("uplink", "wan0") { Up = true, PeerNamespace = internet.Namespace, PeerUp = true });
            host.Netlink.AddrAdd("uplink", new InterfaceAddress(HostUplinkAddress, 24));
            internet.Netlink.AddrAdd("wan0", new InterfaceAddress(InternetAddress, 24));
            // No DAD: a tentative address would be unusable for the first second of the test.
            host.Netlink.AddrAdd("uplink", new InterfaceAddress(HostUplinkAddressV6, 64), noDad: true);
            internet.Netlink.AddrAdd("wan0", new InterfaceAddress(InternetAddressV6, 64), noDad: true);
            return internet;
        }
        catch
        {
            internet.Dispose();
            throw;
        }
    }
}
