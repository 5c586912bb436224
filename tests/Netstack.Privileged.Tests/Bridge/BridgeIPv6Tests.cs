using System.Net;
using Netstack.Core;
using Netstack.Core.Drivers;
using Netstack.Drivers.Bridge;
using Netstack.TestKit;
using Xunit;

namespace Netstack.Privileged.Tests.Bridge;

/// <summary>
/// IPv6 bridge networks on real namespaces: the ip6tables rules mirror the IPv4 ones (isolation,
/// ICC, internal, masquerade, published ports with hairpin), and nothing of them outlives its owner.
/// </summary>
public sealed class BridgeIPv6Tests
{
    private static readonly IPAddress HostV6 = BridgeLab.HostUplinkAddressV6;

    private static Task<IReadOnlyList<PortBinding>> Publish(BridgeLab lab, LabSandbox sandbox, params PortBinding[] bindings) =>
        lab.Driver.ProgramExternalConnectivityAsync(new ExternalConnectivityRequest
        {
            NetworkId = sandbox.NetworkId,
            EndpointId = sandbox.EndpointId,
            PortBindings = bindings,
        }, CancellationToken.None);

    /// <summary>
    /// Asserts an IPv6 rule: the whole <paramref name="iptablesLine"/> in ip6tables-save, or on the
    /// nftables backend a line of chain <paramref name="nftChain"/> of table ip6 netstack (as
    /// <see cref="Firewall.TestFirewall.NetstackLines"/> gives it) holding every one of <paramref name="nftParts"/>.
    /// </summary>
    private static void AssertRuleV6(BridgeLab lab, string iptablesLine, string nftChain, params string[] nftParts)
    {
        if (Firewall.TestFirewall.IsNftables)
        {
            var lines = Firewall.TestFirewall.NetstackLines(lab.Host, ipv6: true);
            Assert.True(lines.Any(l => l.StartsWith(nftChain + ": ", StringComparison.Ordinal) && nftParts.All(p => l.Contains(p, StringComparison.Ordinal))),
                $"no rule in {nftChain} with {string.Join(" and ", nftParts)}:\n{string.Join('\n', lines)}");
            return;
        }
        Assert.Contains(iptablesLine, lab.HostRulesV6(), StringComparison.Ordinal);
    }

    /// <summary>How the backend names a source prefix in a rule (for checks that it is absent or present).</summary>
    private static string SourceV6(string prefix) => Firewall.TestFirewall.IsNftables ? "ip6 saddr " + prefix : "-s " + prefix;

    /// <summary>Rules (not chain markers) of the driver's networks and endpoints in ip6tables-save.</summary>
    private static List<string> OwnedRulesV6(BridgeLab lab) =>
        lab.HostRulesV6().Split('\n')
            .Where(l => (l.StartsWith("-A ", StringComparison.Ordinal) || Firewall.TestFirewall.IsNftables) && (l.Contains("netstack:bridge-net:", StringComparison.Ordinal) || l.Contains("netstack:bridge-ep:", StringComparison.Ordinal)))
            .ToList();

    [PrivilegedFact]
    public async Task TwoIPv6Networks_Isolated_ContainersOnOneReachEachOther_OutsideSeesTheHostAddress()
    {
        await using var lab = BridgeLab.Create();
        var netA = await lab.CreateNetworkAsync("10.70.0.0/24", subnetV6: "fd00:70::/64");
        var netB = await lab.CreateNetworkAsync("10.71.0.0/24", subnetV6: "fd00:71::/64");
        var a1 = await lab.ConnectAsync(netA, "10.70.0.2", addressV6: "fd00:70::2");
        var a2 = await lab.ConnectAsync(netA, "10.70.0.3", addressV6: "fd00:70::3");
        var b1 = await lab.ConnectAsync(netB, "10.71.0.2", addressV6: "fd00:71::2");
        using var outside = NamespaceSockets.TcpServer(lab.Internet.Namespace, 7000, "internet", dualStack: true);

        Assert.True(NamespacePing.Any(a1.Ns, a2.AddressV6!));
        Assert.True(NamespacePing.Any(a1.Ns, IPAddress.Parse("fd00:70::1")));
        Assert.False(NamespacePing.Once(a1.Ns, b1.AddressV6!));
        Assert.False(NamespacePing.Once(b1.Ns, a1.AddressV6!));
        // The internet has no route to fd00:70::/64: an answer proves the masquerade to the uplink address.
        Assert.Equal($"hello from internet to {HostV6}", await NamespaceSockets.TcpAsk(a1.Ns.Namespace, BridgeLab.InternetAddressV6, 7000));
        Assert.Equal($"hello from internet to {HostV6}", await NamespaceSockets.TcpAsk(b1.Ns.Namespace, BridgeLab.InternetAddressV6, 7000));

        AssertRuleV6(lab, $"-A NETSTACK-POSTROUTING -s fd00:70::/64 ! -o br-{netA.NetworkId[..12]} -m comment --comment \"netstack:bridge-net:{netA.NetworkId}\" -j MASQUERADE",
            "nat-NETSTACK-POSTROUTING", "ip6 saddr fd00:70::/64", $"oifname != \"br-{netA.NetworkId[..12]}\"", $"comment \"netstack:bridge-net:{netA.NetworkId}\"", "masquerade");
        AssertRuleV6(lab, $"-A NETSTACK-ISOLATION-2 -o br-{netB.NetworkId[..12]} -m comment --comment \"netstack:bridge-net:{netB.NetworkId}\" -j DROP",
            "filter-NETSTACK-ISOLATION-2", $"oifname \"br-{netB.NetworkId[..12]}\"", $"comment \"netstack:bridge-net:{netB.NetworkId}\"", "drop");
        Assert.Equal("1", lab.Host.Exec("cat", "/proc/sys/net/bridge/bridge-nf-call-ip6tables").Trim());
    }

    [PrivilegedFact]
    public async Task IccOff_IPv6BetweenContainersBlocked_OutsideStillReached()
    {
        await using var lab = BridgeLab.Create();
        var network = await lab.CreateNetworkAsync("10.72.0.0/24", new Dictionary<string, string> { [DockerOptions.BridgeEnableIcc] = "false" }, subnetV6: "fd00:72::/64");
        var a = await lab.ConnectAsync(network, "10.72.0.2", addressV6: "fd00:72::2");
        var b = await lab.ConnectAsync(network, "10.72.0.3", addressV6: "fd00:72::3");
        using var server = NamespaceSockets.TcpServer(b.Ns.Namespace, 80, "b", dualStack: true);

        Assert.Null(await NamespaceSockets.TcpAsk(a.Ns.Namespace, b.AddressV6!, 80, attempts: 1));
        Assert.Null(await NamespaceSockets.TcpAsk(a.Ns.Namespace, b.Address, 80, attempts: 1));
        Assert.True(NamespacePing.Any(a.Ns, BridgeLab.InternetAddressV6));
    }

    [PrivilegedFact]
    public async Task InternalIPv6Network_ContainersTalk_NothingLeaves_NoMasquerade()
    {
        await using var lab = BridgeLab.Create();
        var network = await lab.CreateNetworkAsync("10.73.0.0/24", isInternal: true, subnetV6: "fd00:73::/64");
        var a = await lab.ConnectAsync(network, "10.73.0.2", addressV6: "fd00:73::2");
        var b = await lab.ConnectAsync(network, "10.73.0.3", addressV6: "fd00:73::3");
        // Internal networks give no default route; add one by hand to prove the firewall drops it too.
        a.Ns.Ip("-6", "route", "add", "default", "via", "fd00:73::1");

        Assert.True(NamespacePing.Any(a.Ns, b.AddressV6!));
        Assert.False(NamespacePing.Once(a.Ns, BridgeLab.InternetAddressV6));
        Assert.DoesNotContain("fd00:73::/64", lab.HostRulesV6(), StringComparison.Ordinal);
        AssertRuleV6(lab, $"! -i br-{network.NetworkId[..12]} -o br-{network.NetworkId[..12]} -m comment --comment \"netstack:bridge-net:{network.NetworkId}\" -j DROP",
            "filter-NETSTACK-ISOLATION-1", $"iifname != \"br-{network.NetworkId[..12]}\"", $"oifname \"br-{network.NetworkId[..12]}\"", $"comment \"netstack:bridge-net:{network.NetworkId}\"", "drop");
    }

    [PrivilegedFact]
    public async Task MasqueradeOff_IPv6LeavesWithTheContainerAddress_SoTheOutsideCannotAnswer()
    {
        await using var lab = BridgeLab.Create();
        var network = await lab.CreateNetworkAsync("10.74.0.0/24", new Dictionary<string, string> { [DockerOptions.BridgeEnableIPMasquerade] = "false" }, subnetV6: "fd00:74::/64");
        var a = await lab.ConnectAsync(network, "10.74.0.2", addressV6: "fd00:74::2");
        using var outside = NamespaceSockets.TcpServer(lab.Internet.Namespace, 7000, "internet", dualStack: true);
        // Give the internet a route back: now it sees (and answers) the container's own address.
        lab.Internet.Ip("-6", "route", "add", "fd00:74::/64", "via", HostV6.ToString());

        Assert.Equal("hello from internet to fd00:74::2", await NamespaceSockets.TcpAsk(a.Ns.Namespace, BridgeLab.InternetAddressV6, 7000));
        Assert.DoesNotContain(SourceV6("fd00:74::/64"), lab.HostRulesV6(), StringComparison.Ordinal);
    }

    [PrivilegedFact]
    public async Task PublishedPort_AnswersOnHostIPv6FromOutsideHostAndHairpin_AndIPv4Too_RevokeRemovesIt()
    {
        await using var lab = BridgeLab.Create();
        var network = await lab.CreateNetworkAsync("10.75.0.0/24", subnetV6: "fd00:75::/64");
        var a = await lab.ConnectAsync(network, "10.75.0.2", addressV6: "fd00:75::2");
        var b = await lab.ConnectAsync(network, "10.75.0.3", addressV6: "fd00:75::3");
        using var tcp = NamespaceSockets.TcpServer(a.Ns.Namespace, 80, "a", dualStack: true);
        using var udp = NamespaceSockets.UdpServer(a.Ns.Namespace, 5353, "a", dualStack: true);

        var programmed = await Publish(lab, a,
            new PortBinding { ContainerPort = 80, HostPort = 8080 },
            new PortBinding { ContainerPort = 5353, HostPort = 8053, Protocol = PortProtocol.Udp });

        // Docker's presentation: one binding per family for a port without host IP.
        Assert.Equal(["0.0.0.0:8080/tcp", ":::8080/tcp", "0.0.0.0:8053/udp", ":::8053/udp"],
            programmed.Select(p => $"{p.HostIp}:{p.HostPort}/{p.Protocol.ToString().ToLowerInvariant()}"));
        // From outside over IPv6: DNAT only, the container sees the real client.
        Assert.Equal($"hello from a to {BridgeLab.InternetAddressV6}", await NamespaceSockets.TcpAsk(lab.Internet.Namespace, HostV6, 8080));
        Assert.Equal($"hello from a to {BridgeLab.InternetAddressV6}", await NamespaceSockets.UdpAsk(lab.Internet.Namespace, HostV6, 8053));
        // And over IPv4, as before.
        Assert.Equal("hello from a to 198.51.100.2", await NamespaceSockets.TcpAsk(lab.Internet.Namespace, BridgeLab.HostUplinkAddress, 8080));
        // From the host itself by its IPv6 address: masqueraded to the gateway.
        Assert.Equal("hello from a to fd00:75::1", await NamespaceSockets.TcpAsk(lab.Host.Namespace, HostV6, 8080));
        // Hairpin: another container, and the container itself, through the host's IPv6 address.
        Assert.Equal("hello from a to fd00:75::3", await NamespaceSockets.TcpAsk(b.Ns.Namespace, HostV6, 8080));
        Assert.Equal("hello from a to fd00:75::3", await NamespaceSockets.UdpAsk(b.Ns.Namespace, HostV6, 8053));
        Assert.Equal("hello from a to fd00:75::1", await NamespaceSockets.TcpAsk(a.Ns.Namespace, HostV6, 8080));
        // [::1] is not DNATed (no route_localnet in IPv6): nothing answers there.
        Assert.Null(await NamespaceSockets.TcpAsk(lab.Host.Namespace, IPAddress.IPv6Loopback, 8080, attempts: 1));
        // An unpublished port stays closed from outside, even addressed directly.
        using var other = NamespaceSockets.TcpServer(a.Ns.Namespace, 81, "a", dualStack: true);
        lab.Internet.Ip("-6", "route", "add", "fd00:75::/64", "via", HostV6.ToString());
        Assert.Null(await NamespaceSockets.TcpAsk(lab.Internet.Namespace, a.AddressV6!, 81, attempts: 1));

        await lab.Driver.RevokeExternalConnectivityAsync(network.NetworkId, a.EndpointId, CancellationToken.None);
        Assert.Null(await NamespaceSockets.TcpAsk(lab.Internet.Namespace, HostV6, 8080, attempts: 1));
        Assert.DoesNotContain(a.EndpointId, lab.HostRulesV6(), StringComparison.Ordinal);
        Assert.DoesNotContain(a.EndpointId, lab.HostRules(), StringComparison.Ordinal);
    }

    [PrivilegedFact]
    public async Task PublishedPort_OnAGivenHostIPv6Address_AnswersThereOnly()
    {
        await using var lab = BridgeLab.Create();
        var network = await lab.CreateNetworkAsync("10.76.0.0/24", subnetV6: "fd00:76::/64");
        var a = await lab.ConnectAsync(network, "10.76.0.2", addressV6: "fd00:76::2");
        using var tcp = NamespaceSockets.TcpServer(a.Ns.Namespace, 80, "a", dualStack: true);
        // A second host address on the uplink: the port must not answer there.
        lab.Host.Ip("addr", "add", "2001:db8:ff::9/64", "dev", "uplink", "nodad");

        var programmed = await Publish(lab, a, new PortBinding { ContainerPort = 80, HostPort = 8081, HostIp = HostV6 });

        var binding = Assert.Single(programmed);
        Assert.Equal(HostV6, binding.HostIp);
        Assert.Equal($"hello from a to {BridgeLab.InternetAddressV6}", await NamespaceSockets.TcpAsk(lab.Internet.Namespace, HostV6, 8081));
        Assert.Null(await NamespaceSockets.TcpAsk(lab.Internet.Namespace, IPAddress.Parse("2001:db8:ff::9"), 8081, attempts: 1));
        Assert.Null(await NamespaceSockets.TcpAsk(lab.Internet.Namespace, BridgeLab.HostUplinkAddress, 8081, attempts: 1));
        AssertRuleV6(lab, $"-A NETSTACK-DNAT ! -s fe80::/10 -d {HostV6}/128 -p tcp -m comment --comment \"netstack:bridge-ep:{a.EndpointId}\" -m tcp --dport 8081 -j DNAT --to-destination [fd00:76::2]:80",
            "nat-NETSTACK-DNAT", "ip6 saddr != fe80::/10", $"ip6 daddr {HostV6}", "tcp dport 8081", $"comment \"netstack:bridge-ep:{a.EndpointId}\"", "dnat", "[fd00:76::2]:80");
    }

    [PrivilegedFact]
    public async Task DefaultBindingAddressIPv6_PortWithoutHostIpAnswersThereOnly()
    {
        await using var lab = BridgeLab.Create();
        var network = await lab.CreateNetworkAsync("10.84.0.0/24", new Dictionary<string, string> { [DockerOptions.BridgeHostBindingIPv4] = HostV6.ToString() }, subnetV6: "fd00:84::/64");
        var a = await lab.ConnectAsync(network, "10.84.0.2", addressV6: "fd00:84::2");
        using var tcp = NamespaceSockets.TcpServer(a.Ns.Namespace, 80, "a", dualStack: true);

        var programmed = await Publish(lab, a, new PortBinding { ContainerPort = 80, HostPort = 8082 });

        Assert.Equal(HostV6, Assert.Single(programmed).HostIp);
        Assert.Equal($"hello from a to {BridgeLab.InternetAddressV6}", await NamespaceSockets.TcpAsk(lab.Internet.Namespace, HostV6, 8082));
        Assert.Null(await NamespaceSockets.TcpAsk(lab.Internet.Namespace, BridgeLab.HostUplinkAddress, 8082, attempts: 1));
        Assert.DoesNotContain(a.EndpointId, lab.HostRules(), StringComparison.Ordinal);
    }

    [PrivilegedFact]
    public async Task Loopback_IsNotDnated_AHostProgramOnThePortKeepsAnsweringOnIt()
    {
        await using var lab = BridgeLab.Create();
        var network = await lab.CreateNetworkAsync("10.85.0.0/24", subnetV6: "fd00:85::/64");
        var a = await lab.ConnectAsync(network, "10.85.0.2", addressV6: "fd00:85::2");
        using var container = NamespaceSockets.TcpServer(a.Ns.Namespace, 80, "a", dualStack: true);
        // A program of the host on the same port number (IPv6 side of the host's own stack).
        using var host = NamespaceSockets.TcpServer(lab.Host.Namespace, 8083, "host", dualStack: true);

        await Publish(lab, a, new PortBinding { ContainerPort = 80, HostPort = 8083 });

        // [::1] stays the host's: a DNAT there would only black-hole the connection (no route_localnet).
        Assert.Equal("hello from host to ::1", await NamespaceSockets.TcpAsk(lab.Host.Namespace, IPAddress.IPv6Loopback, 8083));
        // The host's other addresses are published.
        Assert.Equal("hello from a to fd00:85::1", await NamespaceSockets.TcpAsk(lab.Host.Namespace, HostV6, 8083));
        Assert.Equal($"hello from a to {BridgeLab.InternetAddressV6}", await NamespaceSockets.TcpAsk(lab.Internet.Namespace, HostV6, 8083));
    }

    [PrivilegedFact]
    public async Task HostPortZero_OneFreePortForBothFamilies()
    {
        await using var lab = BridgeLab.Create();
        var network = await lab.CreateNetworkAsync("10.77.0.0/24", subnetV6: "fd00:77::/64");
        var a = await lab.ConnectAsync(network, "10.77.0.2", addressV6: "fd00:77::2");
        using var tcp = NamespaceSockets.TcpServer(a.Ns.Namespace, 80, "a", dualStack: true);

        var programmed = await Publish(lab, a, new PortBinding { ContainerPort = 80, HostPort = 0 });

        Assert.Equal(2, programmed.Count);
        var port = programmed[0].HostPort;
        Assert.Equal(port, programmed[1].HostPort);
        Assert.Equal($"hello from a to {BridgeLab.InternetAddressV6}", await NamespaceSockets.TcpAsk(lab.Internet.Namespace, HostV6, port));
    }

    [PrivilegedTheory]
    [InlineData("::1", "docker-proxy")]
    [InlineData("fe80::1", "link-local")]
    [InlineData("ff02::1", "multicast")]
    public async Task UnpublishableHostIPv6_InvalidParameterNamingIt_NothingProgrammed(string hostIp, string why)
    {
        await using var lab = BridgeLab.Create();
        var network = await lab.CreateNetworkAsync("10.78.0.0/24", subnetV6: "fd00:78::/64");
        var a = await lab.ConnectAsync(network, "10.78.0.2", addressV6: "fd00:78::2");

        var error = await Assert.ThrowsAsync<InvalidParameterException>(() => Publish(lab, a,
            new PortBinding { ContainerPort = 90, HostPort = 9090 },
            new PortBinding { ContainerPort = 80, HostPort = 8080, HostIp = IPAddress.Parse(hostIp) }));

        Assert.Equal("host IP", error.Field);
        Assert.Equal(hostIp, error.Value);
        Assert.Contains(why, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(a.EndpointId, lab.HostRulesV6(), StringComparison.Ordinal);
        Assert.DoesNotContain(a.EndpointId, lab.HostRules(), StringComparison.Ordinal);
    }

    [PrivilegedFact]
    public async Task HostIPv6OnANetworkWithoutIPv6_InvalidParameterSayingSo()
    {
        await using var lab = BridgeLab.Create();
        var network = await lab.CreateNetworkAsync("10.79.0.0/24");
        var a = await lab.ConnectAsync(network, "10.79.0.2");

        var error = await Assert.ThrowsAsync<InvalidParameterException>(() => Publish(lab, a,
            new PortBinding { ContainerPort = 80, HostPort = 8080, HostIp = HostV6 }));

        Assert.Equal("host IP", error.Field);
        Assert.Contains("--ipv6", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(a.EndpointId, lab.HostRules(), StringComparison.Ordinal);
        // A plain -p on an IPv4-only network publishes IPv4 only and writes nothing to ip6tables.
        Assert.Single(await Publish(lab, a, new PortBinding { ContainerPort = 80, HostPort = 8080 }));
        Assert.DoesNotContain("netstack:", lab.HostRulesV6(), StringComparison.Ordinal);
    }

    [PrivilegedFact]
    public async Task DeleteEndpointsAndNetworks_LeaveNoIPv6RuleOfThem()
    {
        await using var lab = BridgeLab.Create();
        var netA = await lab.CreateNetworkAsync("10.80.0.0/24", new Dictionary<string, string> { [DockerOptions.BridgeEnableIcc] = "false" }, subnetV6: "fd00:80::/64");
        var netB = await lab.CreateNetworkAsync("10.81.0.0/24", isInternal: true, subnetV6: "fd00:81::/64");
        var a = await lab.ConnectAsync(netA, "10.80.0.2", addressV6: "fd00:80::2");
        var c = await lab.ConnectAsync(netA, "10.80.0.3", addressV6: "fd00:80::3");
        await lab.ConnectAsync(netB, "10.81.0.2", addressV6: "fd00:81::2");
        await Publish(lab, a, new PortBinding { ContainerPort = 80, HostPort = 8080 }, new PortBinding { ContainerPort = 81, HostPort = 8081, HostIp = HostV6 });
        await Publish(lab, c, new PortBinding { ContainerPort = 80, HostPort = 9080 });
        Assert.NotEmpty(OwnedRulesV6(lab));

        // An endpoint deleted with its ports (rm -f), then whole networks.
        await lab.Driver.LeaveAsync(netA.NetworkId, c.EndpointId, CancellationToken.None);
        await lab.Driver.DeleteEndpointAsync(netA.NetworkId, c.EndpointId, CancellationToken.None);
        Assert.DoesNotContain(c.EndpointId, lab.HostRulesV6(), StringComparison.Ordinal);
        Assert.Contains(a.EndpointId, lab.HostRulesV6(), StringComparison.Ordinal);
        await lab.Driver.DeleteNetworkAsync(netA.NetworkId, CancellationToken.None);
        await lab.Driver.DeleteNetworkAsync(netB.NetworkId, CancellationToken.None);

        Assert.Empty(OwnedRulesV6(lab));
        Assert.DoesNotContain("bridge-", lab.HostRulesV6(), StringComparison.Ordinal);
        Assert.DoesNotContain("bridge-", lab.HostRules(), StringComparison.Ordinal);
        // What stays is the driver's empty base: its chains and the jumps to them.
        var left = Firewall.TestFirewall.IsNftables
            ? Firewall.TestFirewall.NetstackLines(lab.Host, ipv6: true).Where(l => !l.StartsWith("chain ", StringComparison.Ordinal) && !l.Contains(": type ", StringComparison.Ordinal)).ToList()
            : lab.HostRulesV6().Split('\n').Where(l => l.StartsWith("-A ", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(left);
        Assert.All(left, l => Assert.True(l.Contains("netstack:bridge\"", StringComparison.Ordinal) || l.Contains("netstack-chain:bridge\"", StringComparison.Ordinal), l));
    }

    [PrivilegedFact]
    public async Task Reconcile_RemovesIPv6RulesOfNetworksTheStoreDoesNotKnow()
    {
        await using var lab = BridgeLab.Create();
        var known = await lab.CreateNetworkAsync("10.82.0.0/24", subnetV6: "fd00:82::/64");
        var orphan = await lab.CreateNetworkAsync("10.83.0.0/24", subnetV6: "fd00:83::/64");
        var o = await lab.ConnectAsync(orphan, "10.83.0.2", addressV6: "fd00:83::2");
        await Publish(lab, o, new PortBinding { ContainerPort = 80, HostPort = 8080 });
        Firewall.TestFirewall.AppendAccept(lab.Host, "NETSTACK-FORWARD", "foreign0", "other-driver", ipv6: true);

        using var restarted = new BridgeDriver(new BridgeDriverOptions { HostNamespacePath = lab.Host.Namespace.Path, FirewallBackend = Firewall.TestFirewall.Backend });
        var report = await restarted.ReconcileAsync(new DriverReconcileRequest { Networks = [known] }, CancellationToken.None);

        Assert.True(report.Errors.Count == 0, string.Join("; ", report.Errors));
        Assert.Contains(report.Removed, r => r.StartsWith("IPv6 firewall rules of bridge-ep:" + o.EndpointId, StringComparison.Ordinal));
        var rules = lab.HostRulesV6();
        Assert.DoesNotContain(orphan.NetworkId, rules, StringComparison.Ordinal);
        Assert.DoesNotContain(o.EndpointId, rules, StringComparison.Ordinal);
        Assert.Contains(SourceV6("fd00:82::/64"), rules, StringComparison.Ordinal);
        Assert.Contains("netstack:other-driver", rules, StringComparison.Ordinal);
    }
}
