using System.Net;
using Netstack.Core;
using Netstack.Linux;
using Netstack.TestKit;
using Xunit;

namespace Netstack.Privileged.Tests.Bridge;

public sealed class BridgeConnectivityTests
{
    private const int ServerPort = 7000;

    [PrivilegedFact]
    public async Task TwoSandboxes_SameNetwork_ReachEachOther()
    {
        await using var lab = BridgeLab.Create();
        var network = await lab.CreateNetworkAsync("10.40.0.0/24");
        var a = await lab.ConnectAsync(network, "10.40.0.2");
        var b = await lab.ConnectAsync(network, "10.40.0.3");
        using var server = NamespaceSockets.TcpServer(b.Ns.Namespace, ServerPort, "b");

        Assert.True(NamespacePing.Any(a.Ns, b.Address));
        Assert.True(NamespacePing.Any(b.Ns, a.Address));
        // Inside one network nothing is translated: b sees a's own address.
        Assert.Equal("hello from b to 10.40.0.2", await NamespaceSockets.TcpAsk(a.Ns.Namespace, b.Address, ServerPort));
    }

    [PrivilegedFact]
    public async Task SandboxOnOtherNetwork_CannotReachEitherWay_ButBothReachOutside()
    {
        await using var lab = BridgeLab.Create();
        var one = await lab.CreateNetworkAsync("10.41.0.0/24");
        var two = await lab.CreateNetworkAsync("10.42.0.0/24");
        var a = await lab.ConnectAsync(one, "10.41.0.2");
        var c = await lab.ConnectAsync(two, "10.42.0.2");
        using var serverA = NamespaceSockets.TcpServer(a.Ns.Namespace, ServerPort, "a");
        using var serverC = NamespaceSockets.TcpServer(c.Ns.Namespace, ServerPort, "c");

        // Not dead networks: both reach their gateway and the outside (checked first, so the
        // silence below is the firewall's doing, not ports still coming up).
        Assert.True(NamespacePing.Any(a.Ns, IPAddress.Parse("10.41.0.1")));
        Assert.True(NamespacePing.Any(c.Ns, BridgeLab.InternetAddress));
        Assert.True(NamespacePing.Any(a.Ns, BridgeLab.InternetAddress));
        Assert.False(NamespacePing.Once(a.Ns, c.Address));
        Assert.False(NamespacePing.Once(c.Ns, a.Address));
        Assert.Null(await NamespaceSockets.TcpAsk(a.Ns.Namespace, c.Address, ServerPort, attempts: 1));
        Assert.Null(await NamespaceSockets.TcpAsk(c.Ns.Namespace, a.Address, ServerPort, attempts: 1));
    }

    [PrivilegedFact]
    public async Task InternalNetwork_NoRouteOut_ButSandboxesReachEachOther()
    {
        await using var lab = BridgeLab.Create();
        var network = await lab.CreateNetworkAsync("10.43.0.0/24", isInternal: true);
        var a = await lab.ConnectAsync(network, "10.43.0.2");
        var b = await lab.ConnectAsync(network, "10.43.0.3");
        using var internet = NamespaceSockets.TcpServer(lab.Internet.Namespace, ServerPort, "internet");

        Assert.Null(a.Join.Gateway);
        Assert.True(a.Join.DisableGatewayService);
        // Even a container that sets a default route through the bridge by itself gets nowhere.
        a.Ns.Netlink.RouteAdd(RouteSpec.DefaultVia(IPAddress.Parse("10.43.0.1"), "eth0"));
        Assert.True(NamespacePing.Any(a.Ns, b.Address));
        Assert.False(NamespacePing.Once(a.Ns, BridgeLab.InternetAddress));
        Assert.Null(await NamespaceSockets.TcpAsk(a.Ns.Namespace, BridgeLab.InternetAddress, ServerPort, attempts: 1));
        Assert.DoesNotContain("-s 10.43.0.0/24", lab.HostRules());
    }

    [PrivilegedFact]
    public async Task IccOff_ContainersOnTheBridgeCannotTalk_ButReachGatewayAndOutside()
    {
        await using var lab = BridgeLab.Create();
        var network = await lab.CreateNetworkAsync("10.44.0.0/24", new Dictionary<string, string> { [DockerOptions.BridgeEnableIcc] = "false" });
        var a = await lab.ConnectAsync(network, "10.44.0.2");
        var b = await lab.ConnectAsync(network, "10.44.0.3");
        using var server = NamespaceSockets.TcpServer(b.Ns.Namespace, ServerPort, "b");

        Assert.True(NamespacePing.Any(a.Ns, IPAddress.Parse("10.44.0.1")));
        Assert.True(NamespacePing.Any(b.Ns, IPAddress.Parse("10.44.0.1")));
        Assert.True(NamespacePing.Any(a.Ns, BridgeLab.InternetAddress));
        Assert.False(NamespacePing.Once(a.Ns, b.Address));
        Assert.Null(await NamespaceSockets.TcpAsk(a.Ns.Namespace, b.Address, ServerPort, attempts: 1));
    }

    [PrivilegedFact]
    public async Task Outbound_IsMasqueradedToTheHostAddress()
    {
        await using var lab = BridgeLab.Create();
        var network = await lab.CreateNetworkAsync("10.45.0.0/24");
        var a = await lab.ConnectAsync(network, "10.45.0.2");
        using var internet = NamespaceSockets.TcpServer(lab.Internet.Namespace, ServerPort, "internet");
        using var internetUdp = NamespaceSockets.UdpServer(lab.Internet.Namespace, ServerPort, "internet");

        Assert.Equal("hello from internet to 198.51.100.1", await NamespaceSockets.TcpAsk(a.Ns.Namespace, BridgeLab.InternetAddress, ServerPort));
        Assert.Equal("hello from internet to 198.51.100.1", await NamespaceSockets.UdpAsk(a.Ns.Namespace, BridgeLab.InternetAddress, ServerPort));
    }

    [PrivilegedFact]
    public async Task MasqueradeOff_OutboundLeavesWithContainerAddressAndGetsNoAnswer()
    {
        await using var lab = BridgeLab.Create();
        var network = await lab.CreateNetworkAsync("10.46.0.0/24", new Dictionary<string, string> { [DockerOptions.BridgeEnableIPMasquerade] = "false" });
        var a = await lab.ConnectAsync(network, "10.46.0.2");
        using var internet = NamespaceSockets.TcpServer(lab.Internet.Namespace, ServerPort, "internet");

        // The internet namespace has no route back to 10.46.0.0/24: without masquerade no answer.
        Assert.Null(await NamespaceSockets.TcpAsk(a.Ns.Namespace, BridgeLab.InternetAddress, ServerPort, attempts: 1));
        // Given a route back, it answers, and it saw the container's own address.
        lab.Internet.Netlink.RouteAdd(new RouteSpec { Destination = IPNetwork.Parse("10.46.0.0/24"), Gateway = BridgeLab.HostUplinkAddress });
        Assert.Equal("hello from internet to 10.46.0.2", await NamespaceSockets.TcpAsk(a.Ns.Namespace, BridgeLab.InternetAddress, ServerPort));
    }
}
