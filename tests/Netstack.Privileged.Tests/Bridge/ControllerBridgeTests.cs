using System.Net;
using Netstack.Core;
using Netstack.Drivers.Bridge;
using Netstack.Linux;
using Netstack.TestKit;
using Xunit;

namespace Netstack.Privileged.Tests.Bridge;

/// <summary>
/// The controller with the real bridge driver, SQLite store and default IPAM, on namespaces: the
/// contract between them exercised end to end, a daemon restart included.
/// </summary>
public sealed class ControllerBridgeTests : ControllerLabTests
{
    internal override Task<ControllerLab> CreateLabAsync() =>
        BridgeLab.ControllerLabAsync();

    [PrivilegedFact]
    public async Task Controller_ConnectPublishRestartDelete_WorksAndLeavesNothing()
    {
        var network = await Controller.CreateNetworkAsync(new NetworkSpec
        {
            Name = "web",
            Ipam = new IpamSpec { Pools = [new IpamPoolSpec { Subnet = "10.90.0.0/24" }] },
        });
        await Controller.CreateSandboxAsync(new SandboxSpec { Name = "a" });
        await Controller.CreateSandboxAsync(new SandboxSpec { Name = "b" });
        var a = await Controller.ConnectAsync("web", "a", new EndpointSpec { PublishedPorts = [new PortBinding { ContainerPort = 80, HostPort = 8080 }] });
        var b = await Controller.ConnectAsync("web", "b");
        using var nsA = NetworkNamespace.Open(a.SandboxKey);
        using var nsB = NetworkNamespace.Open(b.SandboxKey);
        using var server = NamespaceSockets.TcpServer(nsA, 80, "a");

        Assert.Equal("eth0", a.InterfaceName);
        Assert.Equal(IPAddress.Parse("10.90.0.1"), a.Gateway);
        Assert.Equal(8080, Assert.Single(a.PublishedPorts).HostPort);
        Assert.Equal($"hello from a to {b.IPv4Address!.Value.Address}", await NamespaceSockets.TcpAsk(nsB, a.IPv4Address!.Value.Address, 80));
        Assert.Equal("hello from a to 10.90.0.1", await NamespaceSockets.TcpAsk(Lab.Host.Namespace, IPAddress.Loopback, 8080));

        // Restart: a new store handle, driver and controller; the bridge is deleted meanwhile.
        await Lab.StopAsync();
        Lab.Host.Ip("link", "del", "br-" + network.Id[..12]);
        await Lab.StartAsync();
        var report = await Controller.ReconcileAsync();

        Assert.True(report.Errors.Count == 0, string.Join("; ", report.Errors));
        Assert.Equal($"hello from a to {b.IPv4Address!.Value.Address}", await NamespaceSockets.TcpAsk(nsB, a.IPv4Address!.Value.Address, 80));
        Assert.Equal("hello from a to 10.90.0.1", await NamespaceSockets.TcpAsk(Lab.Host.Namespace, IPAddress.Loopback, 8080));

        await Controller.DisconnectAsync("web", "a");
        await Controller.DisconnectAsync("web", "b");
        await Controller.DeleteNetworkAsync("web");

        var links = Lab.Host.IpJson("link", "show").EnumerateArray().Select(l => l.GetProperty("ifname").GetString());
        Assert.Equal(["lo"], links);
        var rules = Firewall.TestFirewall.RulesText(Lab.Host);
        Assert.DoesNotContain(network.Id, rules);
        Assert.DoesNotContain(a.Id, rules);
    }
}
