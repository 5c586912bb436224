using System.Net;
using Netstack.Core;
using Netstack.Drivers.Bridge;
using Netstack.Firewall;
using Xunit;

namespace Netstack.Privileged.Tests.Bridge;

/// <summary>The IPv6 half of rule generation, the port table's [::] twins and the host-IP policy; plain facts, no root needed.</summary>
public sealed class BridgeRulesIPv6Tests
{
    private const string Id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    private static BridgeNetworkConfig Config(Dictionary<string, string>? options = null, bool isInternal = false, string? subnetV6 = "fd00:9::/64") =>
        BridgeOptionParser.Parse(BridgeLab.Network("10.9.0.0/24", options, isInternal, Id, subnetV6));

    private static List<string> Specs(IEnumerable<BridgeRule> rules, IpFamily family) =>
        rules.Where(r => r.Family == family).Select(r => $"{r.Table} {r.Chain} {r.Spec}").ToList();

    private static BridgeEndpoint Endpoint(bool v6 = true) => new()
    {
        NetworkId = Id,
        EndpointId = "e1",
        MacAddress = "02:42:0a:09:00:02",
        IPv4Address = CidrAddress.Parse("10.9.0.2/24"),
        IPv6Address = v6 ? CidrAddress.Parse("fd00:9::2/64") : null,
    };

    [Fact]
    public void ForNetwork_IPv6On_SameRulesInIp6tablesForTheIPv6Subnet()
    {
        var rules = BridgeRules.ForNetwork(Config());

        Assert.Equal(
        [
            "filter NETSTACK-ISOLATION-1 -i br-0123456789ab ! -o br-0123456789ab -j NETSTACK-ISOLATION-2",
            "filter NETSTACK-ISOLATION-2 -o br-0123456789ab -j DROP",
            "filter NETSTACK-FORWARD -o br-0123456789ab -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
            "filter NETSTACK-FORWARD -i br-0123456789ab ! -o br-0123456789ab -j ACCEPT",
            "filter NETSTACK-FORWARD -i br-0123456789ab -o br-0123456789ab -j ACCEPT",
            "filter NETSTACK-FORWARD ! -i br-0123456789ab -o br-0123456789ab -j DROP",
            "nat NETSTACK-POSTROUTING -o br-0123456789ab -m addrtype --src-type LOCAL -j MASQUERADE",
            "nat NETSTACK-POSTROUTING -s fd00:9::/64 ! -o br-0123456789ab -j MASQUERADE",
        ], Specs(rules, IpFamily.IPv6));
        Assert.Contains("nat NETSTACK-POSTROUTING -s 10.9.0.0/24 ! -o br-0123456789ab -j MASQUERADE", Specs(rules, IpFamily.IPv4));
        Assert.Equal(IpFamilies.Both, Config().Families);
    }

    [Fact]
    public void ForNetwork_IPv6Off_NoIp6tablesRules()
    {
        var config = Config(subnetV6: null);

        Assert.Empty(Specs(BridgeRules.ForNetwork(config), IpFamily.IPv6));
        Assert.Equal(IpFamilies.IPv4Only, config.Families);
    }

    [Fact]
    public void ForNetwork_IPv6InternalIccOffNoMasquerade_MirrorsIPv4()
    {
        var icc = Specs(BridgeRules.ForNetwork(Config(new() { [DockerOptions.BridgeEnableIcc] = "false", [DockerOptions.BridgeEnableIPMasquerade] = "false" })), IpFamily.IPv6);
        Assert.Contains("filter NETSTACK-FORWARD -i br-0123456789ab -o br-0123456789ab -j DROP", icc);
        Assert.DoesNotContain(icc, r => r.Contains("-s fd00:9::/64", StringComparison.Ordinal));

        var isInternal = Specs(BridgeRules.ForNetwork(Config(isInternal: true)), IpFamily.IPv6);
        Assert.Contains("filter NETSTACK-ISOLATION-1 -i br-0123456789ab ! -o br-0123456789ab -j DROP", isInternal);
        Assert.Contains("filter NETSTACK-ISOLATION-1 ! -i br-0123456789ab -o br-0123456789ab -j DROP", isInternal);
        Assert.DoesNotContain(isInternal, r => r.Contains("MASQUERADE", StringComparison.Ordinal));
    }

    [Fact]
    public void ForPorts_IPv6Bindings_DnatSkipsLinkLocalSources_TargetInBrackets_HostIpAs128()
    {
        var rules = BridgeRules.ForPorts(Config(), IPAddress.Parse("10.9.0.2"),
        [
            new PortBinding { ContainerPort = 80, HostPort = 8080, HostIp = IPAddress.Any },
            new PortBinding { ContainerPort = 80, HostPort = 8080, HostIp = IPAddress.IPv6Any },
            new PortBinding { ContainerPort = 53, HostPort = 5353, HostIp = IPAddress.Parse("2001:db8::1"), Protocol = PortProtocol.Udp },
        ], IPAddress.Parse("fd00:9::2"));

        Assert.Equal(
        [
            "nat NETSTACK-DNAT ! -s fe80::/10 -p tcp -m tcp --dport 8080 -j DNAT --to-destination [fd00:9::2]:80",
            "nat NETSTACK-POSTROUTING -s fd00:9::2/128 -d fd00:9::2/128 -p tcp -m tcp --dport 80 -j MASQUERADE",
            "filter NETSTACK-PORTS -d fd00:9::2/128 ! -i br-0123456789ab -o br-0123456789ab -p tcp -m tcp --dport 80 -j ACCEPT",
            "nat NETSTACK-DNAT -d 2001:db8::1/128 ! -s fe80::/10 -p udp -m udp --dport 5353 -j DNAT --to-destination [fd00:9::2]:53",
            "nat NETSTACK-POSTROUTING -s fd00:9::2/128 -d fd00:9::2/128 -p udp -m udp --dport 53 -j MASQUERADE",
            "filter NETSTACK-PORTS -d fd00:9::2/128 ! -i br-0123456789ab -o br-0123456789ab -p udp -m udp --dport 53 -j ACCEPT",
        ], Specs(rules, IpFamily.IPv6));
        Assert.Equal(3, Specs(rules, IpFamily.IPv4).Count);
    }

    [Fact]
    public void ForPorts_IPv6BindingWithoutContainerIPv6_InvalidParameter()
    {
        var error = Assert.Throws<InvalidParameterException>(() => BridgeRules.ForPorts(Config(), IPAddress.Parse("10.9.0.2"),
            [new PortBinding { ContainerPort = 80, HostPort = 8080, HostIp = IPAddress.IPv6Any }]));

        Assert.Equal("host IP", error.Field);
        Assert.Contains("IPv6", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BaseRuleSet_IPv6_OutputJumpLeavesLoopbackAlone()
    {
        var firewall = new NetstackFirewall(new Netstack.Firewall.Iptables.IptablesFirewall(), BridgeChains.Layout, BridgeChains.LayoutV6);

        var v6 = firewall.BaseRuleSet(IpFamily.IPv6);
        var v4 = firewall.BaseRuleSet(IpFamily.IPv4);

        Assert.Equal(IpFamily.IPv6, v6.Family);
        Assert.Equal(v4.Chains, v6.Chains);
        Assert.Contains(v6.Rules, r => r.Chain == "OUTPUT" && string.Join(' ', r.Arguments) == "! -d ::1/128 -m addrtype --dst-type LOCAL -j NETSTACK-DNAT");
        Assert.Contains(v4.Rules, r => r.Chain == "OUTPUT" && string.Join(' ', r.Arguments) == "-m addrtype --dst-type LOCAL -j NETSTACK-DNAT");
    }

    [Fact]
    public void PortTable_NoHostIpWithIPv6Default_TwinOnSamePort_FamiliesDoNotClash()
    {
        var table = new PortTable();
        var range = (40000, 40010);

        var a = table.Resolve("a", [new PortBinding { ContainerPort = 80, HostPort = 0 }], IPAddress.Any, range, (_, _) => false, IPAddress.IPv6Any);
        table.Set("a", a);

        Assert.Equal([(IPAddress.Any, 40000), (IPAddress.IPv6Any, 40000)], a.Select(b => (b.HostIp!, b.HostPort)));
        // [::] overlaps every IPv6 address on that port, 0.0.0.0 none of them.
        var clash = Assert.Throws<ConflictException>(() => table.Resolve("b", [new PortBinding { ContainerPort = 80, HostPort = 40000, HostIp = IPAddress.Parse("2001:db8::1") }], IPAddress.Any, range, (_, _) => false));
        Assert.Contains("[2001:db8::1]", clash.Message, StringComparison.Ordinal);
        Assert.Contains("[::]:40000", clash.Message, StringComparison.Ordinal);
        // A pick for a v4+v6 pair skips a port taken in either family.
        table.Set("c", [new PortBinding { ContainerPort = 80, HostPort = 40001, HostIp = IPAddress.Parse("2001:db8::1") }]);
        var picked = table.Resolve("d", [new PortBinding { ContainerPort = 80 }], IPAddress.Any, range, (_, _) => false, IPAddress.IPv6Any);
        Assert.All(picked, b => Assert.Equal(40002, b.HostPort));
        // An IPv4 default other than 0.0.0.0 (host_binding_ipv4) names one IPv4 address: no twin.
        Assert.Single(table.Resolve("e", [new PortBinding { ContainerPort = 80 }], IPAddress.Loopback, range, (_, _) => false, IPAddress.IPv6Any));
    }

    [Theory]
    [InlineData("::1", "route_localnet")]
    [InlineData("fe80::1", "link-local")]
    [InlineData("ff02::1", "multicast")]
    public void HostIpPolicy_UnpublishableIPv6_NamesTheAddressAndWhy(string address, string why)
    {
        var error = Assert.Throws<InvalidParameterException>(() =>
            HostIpPolicy.Check(new PortBinding { ContainerPort = 80, HostPort = 8080, HostIp = IPAddress.Parse(address) }, Config(), Endpoint()));

        Assert.Equal("host IP", error.Field);
        Assert.Equal(address, error.Value);
        Assert.Contains(why, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HostIpPolicy_IPv6WithoutIPv6_AndMappedIPv4_AndDefaultTwin()
    {
        var v6 = new PortBinding { ContainerPort = 80, HostPort = 8080, HostIp = IPAddress.Parse("2001:db8::1") };
        Assert.Contains("--ipv6", Assert.Throws<InvalidParameterException>(() => HostIpPolicy.Check(v6, Config(subnetV6: null), Endpoint(v6: false))).Message, StringComparison.Ordinal);
        Assert.Contains("no IPv6 address", Assert.Throws<InvalidParameterException>(() => HostIpPolicy.Check(v6, Config(), Endpoint(v6: false))).Message, StringComparison.Ordinal);
        Assert.Equal(v6, HostIpPolicy.Check(v6, Config(), Endpoint()));

        var mapped = HostIpPolicy.Check(v6 with { HostIp = IPAddress.Parse("::ffff:127.0.0.1") }, Config(), Endpoint());
        Assert.Equal(IPAddress.Loopback, mapped.HostIp);

        Assert.Equal(IPAddress.IPv6Any, HostIpPolicy.DefaultV6(Config(), Endpoint()));
        Assert.Null(HostIpPolicy.DefaultV6(Config(), Endpoint(v6: false)));
        Assert.Null(HostIpPolicy.DefaultV6(Config(new() { [DockerOptions.BridgeHostBindingIPv4] = "127.0.0.1" }), Endpoint()));
    }

    [Theory]
    [InlineData("2001:db8::1")]
    [InlineData("::")]
    public void HostBinding_IPv6OnAnIPv6Network_IsTheDefaultForPortsWithoutHostIp(string address)
    {
        var config = Config(new() { [DockerOptions.BridgeHostBindingIPv4] = address });
        var table = new PortTable();

        var resolved = table.Resolve("a", [new PortBinding { ContainerPort = 80, HostPort = 8080 }], config.HostBindingIPv4, (40000, 40010), (_, _) => false, HostIpPolicy.DefaultV6(config, Endpoint()));

        Assert.Equal(IPAddress.Parse(address), Assert.Single(resolved).HostIp);
        Assert.Equal(IpFamily.IPv6, BridgeRules.FamilyOf(resolved[0]));
        Assert.Equal(new PortBinding { ContainerPort = 80, HostPort = 8080 }, HostIpPolicy.Check(new PortBinding { ContainerPort = 80, HostPort = 8080 }, config, Endpoint()));
        Assert.Equal("endpoint address", Assert.Throws<InvalidParameterException>(() =>
            HostIpPolicy.Check(new PortBinding { ContainerPort = 80, HostPort = 8080 }, config, Endpoint(v6: false))).Field);
    }

    [Theory]
    [InlineData("2001:db8::1", null, "--ipv6")]
    [InlineData("::1", "fd00:9::/64", "route_localnet")]
    [InlineData("fe80::1", "fd00:9::/64", "link-local")]
    [InlineData("fe80::1%eth0", "fd00:9::/64", "must be an IP address")]
    [InlineData("2001:db8::g", "fd00:9::/64", "must be an IP address")]
    public void HostBinding_BadIPv6_InvalidParameterNamingOptionAndValue(string address, string? subnetV6, string why)
    {
        var error = Assert.Throws<InvalidParameterException>(() => Config(new() { [DockerOptions.BridgeHostBindingIPv4] = address }, subnetV6: subnetV6));

        Assert.Equal(DockerOptions.BridgeHostBindingIPv4, error.Field);
        Assert.Equal(address, error.Value);
        Assert.Contains(why, error.Message, StringComparison.Ordinal);
    }
}
