using Netstack.Core;
using Netstack.Core.Drivers;
using Netstack.Drivers.Bridge;
using Netstack.TestKit;
using Xunit;

namespace Netstack.Privileged.Tests.Bridge;

public sealed class BridgeReconcileTests
{
    [PrivilegedFact]
    public async Task Reconcile_BridgeDeletedBehindOurBack_RecreatedWithPortsAndRulesAndTrafficFlowsAgain()
    {
        await using var lab = BridgeLab.Create();
        var network = await lab.CreateNetworkAsync("10.60.0.0/24");
        var a = await lab.ConnectAsync(network, "10.60.0.2");
        var b = await lab.ConnectAsync(network, "10.60.0.3");
        using var tcp = NamespaceSockets.TcpServer(a.Ns.Namespace, 80, "a");
        var bindings = await lab.Driver.ProgramExternalConnectivityAsync(new ExternalConnectivityRequest
        {
            NetworkId = network.NetworkId,
            EndpointId = a.EndpointId,
            PortBindings = [new PortBinding { ContainerPort = 80, HostPort = 8080 }],
        }, CancellationToken.None);
        var bridge = "br-" + network.NetworkId[..12];
        lab.Host.Ip("link", "del", bridge);
        Firewall.TestFirewall.FlushChain(lab.Host, "nat", "NETSTACK-DNAT");
        Assert.False(NamespacePing.Once(a.Ns, b.Address));

        var report = await lab.Driver.ReconcileAsync(new DriverReconcileRequest
        {
            Networks = [network],
            Endpoints =
            [
                State(network, a, bindings),
                State(network, b, []),
            ],
        }, CancellationToken.None);

        Assert.True(report.Errors.Count == 0, string.Join("; ", report.Errors));
        Assert.Contains(report.Recreated, r => r.Contains(bridge, StringComparison.Ordinal));
        Assert.True(NamespacePing.Any(a.Ns, b.Address));
        Assert.Equal("hello from a to 198.51.100.2", await NamespaceSockets.TcpAsk(lab.Internet.Namespace, BridgeLab.HostUplinkAddress, 8080));
    }

    [PrivilegedFact]
    public async Task Reconcile_AfterRestartWithNetworkUnknownToStore_RemovesItsLinksAndRules_KeepsKnownOnes()
    {
        await using var lab = BridgeLab.Create();
        var known = await lab.CreateNetworkAsync("10.61.0.0/24");
        var orphan = await lab.CreateNetworkAsync("10.62.0.0/24");
        var a = await lab.ConnectAsync(known, "10.61.0.2");
        var o = await lab.ConnectAsync(orphan, "10.62.0.2");
        await lab.Driver.ProgramExternalConnectivityAsync(new ExternalConnectivityRequest
        {
            NetworkId = orphan.NetworkId,
            EndpointId = o.EndpointId,
            PortBindings = [new PortBinding { ContainerPort = 80, HostPort = 8080 }],
        }, CancellationToken.None);
        // Someone else's rule in a netstack chain, and a link outside our groups, must survive.
        Firewall.TestFirewall.AppendAccept(lab.Host, "NETSTACK-FORWARD", "foreign0", "other-driver");
        lab.Host.Ip("link", "add", "foreign0", "type", "bridge");

        // A new driver instance: the daemon restarted and the store knows only one network.
        using var restarted = new BridgeDriver(new BridgeDriverOptions { HostNamespacePath = lab.Host.Namespace.Path, FirewallBackend = Firewall.TestFirewall.Backend });
        var report = await restarted.ReconcileAsync(new DriverReconcileRequest
        {
            Networks = [known],
            Endpoints = [State(known, a, [])],
        }, CancellationToken.None);

        Assert.True(report.Errors.Count == 0, string.Join("; ", report.Errors));
        Assert.Empty(report.Recreated);
        var links = lab.Host.IpJson("link", "show").EnumerateArray().Select(l => l.GetProperty("ifname").GetString()).ToList();
        Assert.DoesNotContain("br-" + orphan.NetworkId[..12], links);
        Assert.DoesNotContain("nsv" + o.EndpointId[..12], links);
        Assert.Contains("br-" + known.NetworkId[..12], links);
        Assert.Contains("nsv" + a.EndpointId[..12], links);
        Assert.Contains("foreign0", links);
        var rules = lab.HostRules();
        Assert.DoesNotContain(orphan.NetworkId, rules);
        Assert.DoesNotContain(o.EndpointId, rules);
        Assert.Contains(known.NetworkId, rules);
        Assert.Contains("netstack:other-driver", rules);
        Assert.True(NamespacePing.Any(a.Ns, BridgeLab.InternetAddress));
    }

    private static DriverEndpointState State(DriverNetwork network, LabSandbox sandbox, IReadOnlyList<PortBinding> bindings) => new()
    {
        Endpoint = new DriverEndpoint
        {
            NetworkId = network.NetworkId,
            EndpointId = sandbox.EndpointId,
            IPv4Address = new CidrAddress(sandbox.Address, network.IPv4[0].Subnet.PrefixLength),
        },
        Join = new JoinRequest
        {
            NetworkId = network.NetworkId,
            EndpointId = sandbox.EndpointId,
            SandboxKey = sandbox.Ns.Namespace.Path,
            InterfaceName = "eth0",
            MacAddress = string.Empty,
        },
        PortBindings = bindings,
    };
}
