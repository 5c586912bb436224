using System.Net;
using Netstack.Controller;
using Netstack.Core.Ipam;
using Netstack.Ipam;
using Netstack.Linux;
using Netstack.Store;
using Netstack.TestKit;
using Xunit;

namespace Netstack.Privileged.Tests.Controller;

public sealed class NetlinkHostRoutesTests
{
    [PrivilegedFact]
    public async Task RoutedSubnets_AreSkippedByIpamWhenPickingAPool()
    {
        using var hostNs = TestNamespace.Create();
        // The "host" has a LAN on 172.17.0.0/16 and a VPN route to 172.18.0.0/16, and a default route.
        hostNs.Netlink.LinkAdd(new BridgeSpec("lan0") { Up = true });
        hostNs.Netlink.AddrAdd("lan0", InterfaceAddress.Parse("172.17.0.5/16"));
        hostNs.Netlink.RouteAdd(new RouteSpec { Destination = IPNetwork.Parse("172.18.0.0/16"), Gateway = IPAddress.Parse("172.17.0.1"), Device = "lan0" });
        hostNs.Netlink.RouteAdd(RouteSpec.DefaultVia(IPAddress.Parse("172.17.0.1"), "lan0"));
        var routes = new NetlinkHostRoutes(hostNs.Netlink);

        var routed = await routes.GetRoutedNetworksAsync(default);
        var ipam = new DefaultIpamDriver(new InMemoryKeyValueStore(), hostRoutes: routes);
        var pool = await ipam.RequestPoolAsync(new PoolRequest(), default);

        Assert.Contains(IPNetwork.Parse("172.17.0.0/16"), routed);
        Assert.Contains(IPNetwork.Parse("172.18.0.0/16"), routed);
        Assert.DoesNotContain(routed, r => r.PrefixLength == 0);
        Assert.Equal(IPNetwork.Parse("172.19.0.0/16"), pool.Subnet);
    }
}
