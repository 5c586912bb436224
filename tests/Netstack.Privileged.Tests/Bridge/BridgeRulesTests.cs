using System.Net;
using Netstack.Core;
using Netstack.Drivers.Bridge;
using Xunit;

namespace Netstack.Privileged.Tests.Bridge;

/// <summary>Rule generation, iptables-restore scripts and the port table; plain facts, no root needed.</summary>
public sealed class BridgeRulesTests
{
    private const string Id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    private static BridgeNetworkConfig Config(Dictionary<string, string>? options = null, bool isInternal = false) =>
        BridgeOptionParser.Parse(BridgeLab.Network("10.9.0.0/24", options, isInternal, Id));

    private static List<string> Specs(IEnumerable<BridgeRule> rules) => rules.Select(r => $"{r.Table} {r.Chain} {r.Spec}").ToList();

    [Fact]
    public void ForNetwork_Defaults_IsolationForwardIccAndMasquerade()
    {
        var rules = Specs(BridgeRules.ForNetwork(Config()));

        Assert.Equal(
        [
            "filter NETSTACK-ISOLATION-1 -i br-0123456789ab ! -o br-0123456789ab -j NETSTACK-ISOLATION-2",
            "filter NETSTACK-ISOLATION-2 -o br-0123456789ab -j DROP",
            "filter NETSTACK-FORWARD -o br-0123456789ab -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
            "filter NETSTACK-FORWARD -i br-0123456789ab ! -o br-0123456789ab -j ACCEPT",
            "filter NETSTACK-FORWARD -i br-0123456789ab -o br-0123456789ab -j ACCEPT",
            "filter NETSTACK-FORWARD ! -i br-0123456789ab -o br-0123456789ab -j DROP",
            "nat NETSTACK-POSTROUTING -o br-0123456789ab -m addrtype --src-type LOCAL -j MASQUERADE",
            "nat NETSTACK-POSTROUTING -s 10.9.0.0/24 ! -o br-0123456789ab -j MASQUERADE",
        ], rules);
    }

    [Fact]
    public void ForNetwork_IccOffAndNoMasquerade_DropOnBridgeNoSubnetMasquerade()
    {
        var rules = Specs(BridgeRules.ForNetwork(Config(new() { [DockerOptions.BridgeEnableIcc] = "false", [DockerOptions.BridgeEnableIPMasquerade] = "false" })));

        Assert.Contains("filter NETSTACK-FORWARD -i br-0123456789ab -o br-0123456789ab -j DROP", rules);
        Assert.DoesNotContain(rules, r => r.Contains("-s 10.9.0.0/24", StringComparison.Ordinal));
    }

    [Fact]
    public void ForNetwork_Internal_DropsBothWaysNoAcceptNoMasquerade()
    {
        var rules = Specs(BridgeRules.ForNetwork(Config(isInternal: true)));

        Assert.Contains("filter NETSTACK-ISOLATION-1 -i br-0123456789ab ! -o br-0123456789ab -j DROP", rules);
        Assert.Contains("filter NETSTACK-ISOLATION-1 ! -i br-0123456789ab -o br-0123456789ab -j DROP", rules);
        Assert.DoesNotContain(rules, r => r.Contains("ACCEPT", StringComparison.Ordinal) && !r.Contains("-i br-0123456789ab -o br-0123456789ab", StringComparison.Ordinal));
        Assert.DoesNotContain(rules, r => r.Contains("MASQUERADE", StringComparison.Ordinal));
    }

    [Fact]
    public void ForPorts_TcpOnAllAndUdpOnLoopback_DnatHairpinAndAccept()
    {
        var rules = Specs(BridgeRules.ForPorts(Config(), IPAddress.Parse("10.9.0.2"),
        [
            new PortBinding { ContainerPort = 80, HostPort = 8080, HostIp = IPAddress.Any },
            new PortBinding { ContainerPort = 53, HostPort = 5353, HostIp = IPAddress.Loopback, Protocol = PortProtocol.Udp },
        ]));

        Assert.Equal(
        [
            "nat NETSTACK-DNAT -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.9.0.2:80",
            "nat NETSTACK-POSTROUTING -s 10.9.0.2/32 -d 10.9.0.2/32 -p tcp -m tcp --dport 80 -j MASQUERADE",
            "filter NETSTACK-PORTS -d 10.9.0.2/32 ! -i br-0123456789ab -o br-0123456789ab -p tcp -m tcp --dport 80 -j ACCEPT",
            "nat NETSTACK-DNAT -d 127.0.0.1/32 -p udp -m udp --dport 5353 -j DNAT --to-destination 10.9.0.2:53",
            "nat NETSTACK-POSTROUTING -s 10.9.0.2/32 -d 10.9.0.2/32 -p udp -m udp --dport 53 -j MASQUERADE",
            "filter NETSTACK-PORTS -d 10.9.0.2/32 ! -i br-0123456789ab -o br-0123456789ab -p udp -m udp --dport 53 -j ACCEPT",
        ], rules);
    }

    [Fact]
    public void BaseRuleSet_OwnsTheSharedChains_JumpsFromBuiltinsInsertedOthersAppendedInOrder()
    {
        var set = new NetstackFirewall(new Netstack.Firewall.Iptables.IptablesFirewall(), BridgeChains.Layout).BaseRuleSet();

        Assert.Equal("bridge", set.Owner);
        Assert.Equal(6, set.Chains.Count);
        var forward = set.Rules.Where(r => r.Chain == BridgeChains.Forward).Select(r => string.Join(' ', r.Arguments));
        Assert.Equal(["-j NETSTACK-ISOLATION-1", "-j NETSTACK-PORTS"], forward);
        Assert.All(set.Rules.Where(r => r.Chain == BridgeChains.Forward), r => Assert.False(r.Insert));
        Assert.All(set.Rules.Where(r => !r.Chain.StartsWith("NETSTACK-", StringComparison.Ordinal)), r => Assert.True(r.Insert));
        Assert.Contains(set.Rules, r => r.Table == "nat" && r.Chain == "OUTPUT" && string.Join(' ', r.Arguments) == "-m addrtype --dst-type LOCAL -j NETSTACK-DNAT");
    }

    [Fact]
    public void PortTable_OverlappingHostIpSameProtoAndPort_Conflict_OtherwiseFree()
    {
        var table = new PortTable();
        var range = (40000, 40010);
        table.Set("a", table.Resolve("a", [new PortBinding { ContainerPort = 80, HostPort = 8080 }], IPAddress.Any, range, (_, _) => false));

        var error = Assert.Throws<ConflictException>(() => table.Resolve("b", [new PortBinding { ContainerPort = 80, HostPort = 8080, HostIp = IPAddress.Parse("10.0.0.1") }], IPAddress.Any, range, (_, _) => false));
        Assert.Contains("8080", error.Message);
        Assert.Single(table.Resolve("b", [new PortBinding { ContainerPort = 80, HostPort = 8080, Protocol = PortProtocol.Udp }], IPAddress.Any, range, (_, _) => false));
        Assert.Single(table.Resolve("b", [new PortBinding { ContainerPort = 80, HostPort = 8081 }], IPAddress.Any, range, (_, _) => false));
        // The same endpoint may publish again (its old bindings are replaced).
        Assert.Single(table.Resolve("a", [new PortBinding { ContainerPort = 80, HostPort = 8080 }], IPAddress.Any, range, (_, _) => false));
        // Two bindings of one request clash with each other too.
        Assert.Throws<ConflictException>(() => table.Resolve("c",
            [new PortBinding { ContainerPort = 1, HostPort = 9000 }, new PortBinding { ContainerPort = 2, HostPort = 9000 }], IPAddress.Any, range, (_, _) => false));
    }

    [Fact]
    public void PortTable_HostPortZero_PicksLowestFreeSkippingTakenAndHostSockets()
    {
        var table = new PortTable();
        var range = (40000, 40002);
        table.Set("a", [new PortBinding { ContainerPort = 80, HostPort = 40000, HostIp = IPAddress.Any }]);

        var picked = table.Resolve("b", [new PortBinding { ContainerPort = 80 }], IPAddress.Any, range, (_, port) => port == 40001);

        Assert.Equal(40002, Assert.Single(picked).HostPort);
        Assert.Equal(IPAddress.Any, picked[0].HostIp);
        // Two picks in one request cannot share the last free port: the range is exhausted.
        Assert.Throws<UnavailableException>(() => table.Resolve("b",
            [new PortBinding { ContainerPort = 80 }, new PortBinding { ContainerPort = 81 }], IPAddress.Any, range, (_, port) => port == 40001));
    }
}
