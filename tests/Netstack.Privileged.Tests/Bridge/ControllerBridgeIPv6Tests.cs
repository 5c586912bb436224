using System.Net;
using Netstack.Core;
using Netstack.Drivers.Bridge;
using Netstack.Linux;
using Netstack.TestKit;
using Xunit;

namespace Netstack.Privileged.Tests.Bridge;

/// <summary>
/// The controller with the real bridge driver on an IPv6 network: dual-stack endpoints, published
/// ports in both families as the controller stores them, ip6tables rules rebuilt by reconcile after
/// a restart, and nothing left after delete.
/// </summary>
public sealed class ControllerBridgeIPv6Tests : ControllerLabTests
{
    // A host address of the test host (on lo), from the documentation prefix (RFC 3849).
    private static readonly IPAddress HostV6 = IPAddress.Parse("2001:db8:91::1");

    internal override Task<ControllerLab> CreateLabAsync() =>
        BridgeLab.ControllerLabAsync(host => host.Netlink.AddrAdd("lo", new InterfaceAddress(HostV6, 128), noDad: true));

    [PrivilegedFact]
    public async Task IPv6Network_ConnectPublishRestartDelete_BothFamiliesWorkAndNothingIsLeft()
    {
        var network = await Controller.CreateNetworkAsync(new NetworkSpec
        {
            Name = "web6",
            EnableIPv6 = true,
            Ipam = new IpamSpec { Pools = [new IpamPoolSpec { Subnet = "10.91.0.0/24" }, new IpamPoolSpec { Subnet = "fd00:91::/64" }] },
        });
        await Controller.CreateSandboxAsync(new SandboxSpec { Name = "a" });
        await Controller.CreateSandboxAsync(new SandboxSpec { Name = "b" });
        var a = await Controller.ConnectAsync("web6", "a", new EndpointSpec { PublishedPorts = [new PortBinding { ContainerPort = 80, HostPort = 8080 }] });
        var b = await Controller.ConnectAsync("web6", "b");
        using var nsA = NetworkNamespace.Open(a.SandboxKey);
        using var nsB = NetworkNamespace.Open(b.SandboxKey);
        using var server = NamespaceSockets.TcpServer(nsA, 80, "a", dualStack: true);
        var addressA = a.IPv6Address!.Value.Address;

        Assert.Equal(IPAddress.Parse("fd00:91::1"), a.GatewayIPv6);
        Assert.Equal([("0.0.0.0", 8080), ("::", 8080)], a.PublishedPorts.Select(p => (p.HostIp!.ToString(), p.HostPort)));
        Assert.Equal($"hello from a to {b.IPv6Address!.Value.Address}", await NamespaceSockets.TcpAsk(nsB, addressA, 80));
        Assert.Equal("hello from a to fd00:91::1", await NamespaceSockets.TcpAsk(Lab.Host.Namespace, HostV6, 8080));
        Assert.Equal("hello from a to 10.91.0.1", await NamespaceSockets.TcpAsk(Lab.Host.Namespace, IPAddress.Loopback, 8080));

        // Restart: the bridge and the IPv6 DNAT rules are gone meanwhile; reconcile rebuilds both
        // from the store (the [::] binding is stored as the driver resolved it).
        await Lab.StopAsync();
        Lab.Host.Ip("link", "del", "br-" + network.Id[..12]);
        Firewall.TestFirewall.FlushChain(Lab.Host, "nat", BridgeChains.Dnat, ipv6: true);
        await Lab.StartAsync();
        var report = await Controller.ReconcileAsync();

        Assert.True(report.Errors.Count == 0, string.Join("; ", report.Errors));
        Assert.Equal($"hello from a to {b.IPv6Address!.Value.Address}", await NamespaceSockets.TcpAsk(nsB, addressA, 80));
        Assert.Equal("hello from a to fd00:91::1", await NamespaceSockets.TcpAsk(Lab.Host.Namespace, HostV6, 8080));

        await Controller.DisconnectAsync("web6", "a");
        await Controller.DisconnectAsync("web6", "b");
        await Controller.DeleteNetworkAsync("web6");

        Assert.Equal(["lo"], Lab.Host.IpJson("link", "show").EnumerateArray().Select(l => l.GetProperty("ifname").GetString()));
        foreach (var rules in Firewall.TestFirewall.IsNftables ? [Lab.Host.Exec("nft", "list", "ruleset")] : new[] { Lab.Host.Exec("ip6tables-save"), Lab.Host.Exec("iptables-save") })
        {
            Assert.DoesNotContain(network.Id, rules, StringComparison.Ordinal);
            Assert.DoesNotContain(a.Id, rules, StringComparison.Ordinal);
        }
    }
}
