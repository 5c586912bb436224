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

    private static List<string> Specs(IEnumerable<FirewallRule> rules) => rules.Select(r => $"{r.Table} {r.Chain} {r.Spec}").ToList();

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
    public void Script_EmptyFirewall_DeclaresChainsInsertsAnchorsAppendsOwnerRules()
    {
        var state = IptablesState.Parse("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\nCOMMIT\n*nat\n:PREROUTING ACCEPT [0:0]\nCOMMIT\n");

        var script = IptablesScript.Build(state, BridgeChains.Layout, "bridge-net:x", [new FirewallRule("filter", BridgeChains.Forward, "-i br0 -j ACCEPT")], ensureLayout: true);

        var lines = script.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(":NETSTACK-FORWARD - [0:0]", lines);
        Assert.Contains(":NETSTACK-DNAT - [0:0]", lines);
        Assert.Contains("-I FORWARD 1 -m comment --comment \"netstack:base\" -j NETSTACK-FORWARD", lines);
        // Anchors go in reverse with -I 1, so isolation ends up above the ports chain.
        var ports = Array.IndexOf(lines, "-I NETSTACK-FORWARD 1 -m comment --comment \"netstack:base\" -j NETSTACK-PORTS");
        var isolation = Array.IndexOf(lines, "-I NETSTACK-FORWARD 1 -m comment --comment \"netstack:base\" -j NETSTACK-ISOLATION-1");
        Assert.True(ports >= 0 && isolation > ports);
        Assert.Contains("-A NETSTACK-FORWARD -i br0 -m comment --comment \"netstack:bridge-net:x\" -j ACCEPT", lines);
        Assert.Equal(2, lines.Count(l => l == "COMMIT"));
    }

    [Fact]
    public void Script_ExistingChainsAndOwnerRules_NeverRedeclaresDeletesOnlyThatOwner()
    {
        const string save = """
            *filter
            :FORWARD ACCEPT [0:0]
            :NETSTACK-FORWARD - [0:0]
            :NETSTACK-ISOLATION-1 - [0:0]
            :NETSTACK-ISOLATION-2 - [0:0]
            :NETSTACK-PORTS - [0:0]
            -A FORWARD -m comment --comment "netstack:base" -j NETSTACK-FORWARD
            -A NETSTACK-FORWARD -m comment --comment "netstack:base" -j NETSTACK-ISOLATION-1
            -A NETSTACK-FORWARD -m comment --comment "netstack:base" -j NETSTACK-PORTS
            -A NETSTACK-FORWARD -i br0 -m comment --comment "netstack:bridge-net:x" -j ACCEPT
            -A NETSTACK-FORWARD -i br1 -m comment --comment "netstack:bridge-net:y" -j ACCEPT
            COMMIT
            """;
        var state = IptablesState.Parse(save);

        var script = IptablesScript.Build(state, BridgeChains.Layout, "bridge-net:x", [], ensureLayout: true);

        var filter = script.Split("COMMIT")[0].Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["*filter", "-D NETSTACK-FORWARD -i br0 -m comment --comment \"netstack:bridge-net:x\" -j ACCEPT"], filter);
        Assert.DoesNotContain(":NETSTACK-FORWARD", script);
    }

    [Fact]
    public void Script_NothingToChange_Empty()
    {
        var state = IptablesState.Parse("*filter\n:FORWARD ACCEPT [0:0]\nCOMMIT\n");

        Assert.Equal(string.Empty, IptablesScript.Build(state, BridgeChains.Layout, "bridge-net:x", [], ensureLayout: false));
    }

    [Fact]
    public void State_AppliedScript_KeptUpToDateSoTheNextScriptNeedsNoSave()
    {
        var state = IptablesState.Parse("*filter\n:FORWARD ACCEPT [0:0]\nCOMMIT\n*nat\n:POSTROUTING ACCEPT [0:0]\nCOMMIT\n");
        var rule = new FirewallRule("filter", BridgeChains.Forward, "-i br0 -j ACCEPT");

        state.Apply(IptablesScript.Build(state, BridgeChains.Layout, "bridge-net:x", [rule], ensureLayout: true));

        Assert.True(state.HasChain("filter", BridgeChains.Forward));
        Assert.Equal(
        [
            "-A FORWARD -m comment --comment \"netstack:base\" -j NETSTACK-FORWARD",
            "-A NETSTACK-FORWARD -m comment --comment \"netstack:base\" -j NETSTACK-ISOLATION-1",
            "-A NETSTACK-FORWARD -m comment --comment \"netstack:base\" -j NETSTACK-PORTS",
            "-A NETSTACK-FORWARD -i br0 -m comment --comment \"netstack:bridge-net:x\" -j ACCEPT",
        ], state.Rules("filter"));
        // Applying the same again only swaps the owner's rule: the layout is known to be in place.
        var again = IptablesScript.Build(state, BridgeChains.Layout, "bridge-net:x", [rule], ensureLayout: true);
        Assert.Equal("*filter\n-D NETSTACK-FORWARD -i br0 -m comment --comment \"netstack:bridge-net:x\" -j ACCEPT\n-A NETSTACK-FORWARD -i br0 -m comment --comment \"netstack:bridge-net:x\" -j ACCEPT\nCOMMIT\n", again);
        state.Apply(IptablesScript.Build(state, BridgeChains.Layout, new HashSet<string> { "bridge-net:x" }, string.Empty, [], ensureLayout: false));
        Assert.DoesNotContain(state.AllRules, r => r.Contains("bridge-net:x", StringComparison.Ordinal));
    }

    [Fact]
    public void State_OwnerAndTarget_ReadFromSaveLines()
    {
        Assert.Equal("bridge-ep:abc", IptablesState.OwnerOf("-A NETSTACK-DNAT -p tcp -m comment --comment \"netstack:bridge-ep:abc\" -j DNAT --to-destination 1.2.3.4:80"));
        Assert.Equal("bridge-ep:abc", IptablesState.OwnerOf("-A NETSTACK-DNAT -m comment --comment netstack:bridge-ep:abc -j DNAT"));
        Assert.Null(IptablesState.OwnerOf("-A DOCKER -j RETURN"));
        Assert.Equal("DNAT", IptablesState.TargetOf("-A NETSTACK-DNAT -p tcp -j DNAT --to-destination 1.2.3.4:80"));
        Assert.Equal("-m comment --comment \"netstack:o\" -j X", IptablesState.WithOwner("-j X", "o"));
        Assert.Equal("-i a -m comment --comment \"netstack:o\" -j X", IptablesState.WithOwner("-i a -j X", "o"));
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
