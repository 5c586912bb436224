using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text.Json;
using Netstack.Linux;
using Netstack.TestKit;
using Xunit;

namespace Netstack.Privileged.Tests.Linux;

public sealed class AddressRouteNeighbourTests
{
    private static List<JsonElement> AddrInfo(TestNamespace ns, string dev) =>
        ns.IpJson("addr", "show", "dev", dev)[0].GetProperty("addr_info").EnumerateArray().ToList();

    private static TestNamespace WithBridge(out NetlinkHandle nl)
    {
        var ns = TestNamespace.Create();
        nl = ns.Netlink;
        nl.LinkAdd(new BridgeSpec("br0") { Up = true });
        return ns;
    }

    [PrivilegedFact]
    public void AddrAdd_IPv4AndIPv6_ListedByIpAndByUs_ThenDeleted()
    {
        using var ns = WithBridge(out var nl);
        nl.AddrAdd("br0", InterfaceAddress.Parse("10.20.0.1/24"));
        nl.AddrAdd("br0", InterfaceAddress.Parse("fd00:20::1/64"));

        var shown = AddrInfo(ns, "br0");
        Assert.Contains(shown, a => a.GetProperty("local").GetString() == "10.20.0.1" && a.GetProperty("prefixlen").GetInt32() == 24);
        Assert.Contains(shown, a => a.GetProperty("local").GetString() == "fd00:20::1" && a.GetProperty("prefixlen").GetInt32() == 64);

        var listed = nl.AddrList("br0");
        Assert.Contains(listed, a => a.Address == InterfaceAddress.Parse("10.20.0.1/24"));
        Assert.Contains(listed, a => a.Address == InterfaceAddress.Parse("fd00:20::1/64"));
        Assert.All(nl.AddrList("br0", AddressFamily.InterNetwork), a => Assert.False(a.Address.IsIPv6));

        nl.AddrDelete("br0", InterfaceAddress.Parse("10.20.0.1/24"));
        nl.AddrDelete("br0", InterfaceAddress.Parse("fd00:20::1/64"));
        Assert.DoesNotContain(AddrInfo(ns, "br0"), a => a.GetProperty("local").GetString() is "10.20.0.1" or "fd00:20::1");
    }

    [PrivilegedFact]
    public void AddrAdd_Twice_ThrowsEexist_AndUnknownDeviceNamesIt()
    {
        using var ns = WithBridge(out var nl);
        nl.AddrAdd("br0", InterfaceAddress.Parse("10.20.0.1/24"));
        var exists = Assert.Throws<NetlinkException>(() => nl.AddrAdd("br0", InterfaceAddress.Parse("10.20.0.1/24")));
        Assert.Equal(Errno.EEXIST, exists.Errno);
        Assert.StartsWith("addr add 10.20.0.1/24 dev br0: File exists", exists.Message, StringComparison.Ordinal);

        var missing = Assert.Throws<NetlinkNotFoundException>(() => nl.AddrAdd("nodev0", InterfaceAddress.Parse("10.20.0.2/24")));
        Assert.Contains("dev \"nodev0\"", missing.Message, StringComparison.Ordinal);

        var absent = Assert.Throws<NetlinkException>(() => nl.AddrDelete("br0", InterfaceAddress.Parse("10.99.0.1/24")));
        Assert.Equal(Errno.EADDRNOTAVAIL, absent.Errno);
    }

    [PrivilegedFact]
    public void RouteAdd_OnLinkViaGatewayDefaultAndTable_VisibleInIpRoute()
    {
        using var ns = WithBridge(out var nl);
        nl.AddrAdd("br0", InterfaceAddress.Parse("10.20.0.1/24"));

        nl.RouteAdd(new RouteSpec { Destination = IPNetwork.Parse("10.30.0.0/16"), Device = "br0" });
        nl.RouteAdd(new RouteSpec { Destination = IPNetwork.Parse("10.40.0.0/16"), Gateway = IPAddress.Parse("10.20.0.254") });
        nl.RouteAdd(RouteSpec.DefaultVia(IPAddress.Parse("10.20.0.254"), "br0"));
        nl.RouteAdd(new RouteSpec { Destination = IPNetwork.Parse("10.50.0.0/16"), Gateway = IPAddress.Parse("192.0.2.1"), Device = "br0", OnLink = true });
        nl.RouteAdd(new RouteSpec { Destination = IPNetwork.Parse("10.60.0.0/16"), Device = "br0", Table = 100 });

        var main = ns.IpJson("route", "show").EnumerateArray().ToList();
        var onLink = main.Single(r => r.GetProperty("dst").GetString() == "10.30.0.0/16");
        Assert.Equal("link", onLink.GetProperty("scope").GetString());
        Assert.Equal("br0", onLink.GetProperty("dev").GetString());
        Assert.Equal("10.20.0.254", main.Single(r => r.GetProperty("dst").GetString() == "10.40.0.0/16").GetProperty("gateway").GetString());
        Assert.Equal("10.20.0.254", main.Single(r => r.GetProperty("dst").GetString() == "default").GetProperty("gateway").GetString());
        var flagged = main.Single(r => r.GetProperty("dst").GetString() == "10.50.0.0/16");
        Assert.Contains("onlink", flagged.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
        var table100 = ns.IpJson("route", "show", "table", "100");
        Assert.Equal("10.60.0.0/16", table100[0].GetProperty("dst").GetString());

        var listed = nl.RouteList();
        Assert.Contains(listed, r => r.IsDefault && Equals(r.Gateway, IPAddress.Parse("10.20.0.254")));
        Assert.Contains(nl.RouteList(table: 100), r => r.Destination == IPNetwork.Parse("10.60.0.0/16"));

        nl.RouteReplace(RouteSpec.DefaultVia(IPAddress.Parse("10.20.0.253"), "br0"));
        Assert.Equal("10.20.0.253", ns.IpJson("route", "show", "default")[0].GetProperty("gateway").GetString());

        var duplicate = Assert.Throws<NetlinkException>(() => nl.RouteAdd(new RouteSpec { Destination = IPNetwork.Parse("10.30.0.0/16"), Device = "br0" }));
        Assert.Equal(Errno.EEXIST, duplicate.Errno);

        nl.RouteDelete(new RouteSpec { Destination = IPNetwork.Parse("10.30.0.0/16"), Device = "br0" });
        nl.RouteDelete(RouteSpec.DefaultVia(IPAddress.Parse("10.20.0.253")));
        Assert.DoesNotContain(ns.IpJson("route", "show").EnumerateArray(), r => r.GetProperty("dst").GetString() is "10.30.0.0/16" or "default");
        var gone = Assert.ThrowsAny<NetlinkException>(() => nl.RouteDelete(new RouteSpec { Destination = IPNetwork.Parse("10.30.0.0/16"), Device = "br0" }));
        Assert.True(gone.IsNotFound || gone.Errno == Errno.ESRCH);
    }

    [PrivilegedFact]
    public void RouteAdd_IPv6ViaGateway_Works()
    {
        using var ns = WithBridge(out var nl);
        nl.AddrAdd("br0", InterfaceAddress.Parse("fd00:20::1/64"));
        nl.RouteAdd(new RouteSpec { Destination = IPNetwork.Parse("fd00:99::/64"), Gateway = IPAddress.Parse("fd00:20::fe"), Device = "br0" });
        var routes = ns.IpJson("-6", "route", "show").EnumerateArray().ToList();
        Assert.Equal("fd00:20::fe", routes.Single(r => r.GetProperty("dst").GetString() == "fd00:99::/64").GetProperty("gateway").GetString());
        Assert.Contains(nl.RouteList(AddressFamily.InterNetworkV6), r => r.Destination == IPNetwork.Parse("fd00:99::/64"));
    }

    [PrivilegedFact]
    public void RouteAdd_BadInput_NamesTheProblem()
    {
        using var ns = WithBridge(out var nl);
        var mixed = Assert.Throws<ArgumentException>(() => nl.RouteAdd(new RouteSpec { Destination = IPNetwork.Parse("10.0.0.0/8"), Gateway = IPAddress.Parse("fd00::1") }));
        Assert.Contains("address family", mixed.Message, StringComparison.Ordinal);
        var nowhere = Assert.Throws<ArgumentException>(() => nl.RouteAdd(new RouteSpec { Destination = IPNetwork.Parse("10.0.0.0/8") }));
        Assert.Contains("gateway or a device", nowhere.Message, StringComparison.Ordinal);
        // Gateway not reachable on any connected prefix: the kernel says so.
        var unreachable = Assert.Throws<NetlinkException>(() => nl.RouteAdd(new RouteSpec { Destination = IPNetwork.Parse("10.0.0.0/8"), Gateway = IPAddress.Parse("192.0.2.1") }));
        Assert.Equal(Errno.ENETUNREACH, unreachable.Errno);
    }

    [PrivilegedFact]
    public void NeighReplace_Permanent_ThenDelete()
    {
        using var ns = WithBridge(out var nl);
        var mac = PhysicalAddress.Parse("02-42-0A-14-00-09");
        nl.NeighReplace(new NeighbourSpec("br0", IPAddress.Parse("10.20.0.9"), mac));
        nl.NeighReplace(new NeighbourSpec("br0", IPAddress.Parse("10.20.0.9"), mac)); // replace is idempotent
        var shown = ns.IpJson("neigh", "show", "dev", "br0").EnumerateArray().Single(n => n.GetProperty("dst").GetString() == "10.20.0.9");
        Assert.Equal("02:42:0a:14:00:09", shown.GetProperty("lladdr").GetString());
        Assert.Contains("PERMANENT", shown.GetProperty("state").EnumerateArray().Select(s => s.GetString()));

        var listed = Assert.Single(nl.NeighList("br0"), n => Equals(n.Address, IPAddress.Parse("10.20.0.9")));
        Assert.Equal(mac, listed.MacAddress);
        Assert.True(listed.State.HasFlag(NeighbourState.Permanent));

        var dup = Assert.Throws<NetlinkException>(() => nl.NeighAdd(new NeighbourSpec("br0", IPAddress.Parse("10.20.0.9"), mac)));
        Assert.Equal(Errno.EEXIST, dup.Errno);

        nl.NeighDelete("br0", IPAddress.Parse("10.20.0.9"));
        Assert.DoesNotContain(ns.IpJson("neigh", "show", "dev", "br0").EnumerateArray(), n => n.GetProperty("dst").GetString() == "10.20.0.9");
    }

    [PrivilegedFact]
    public void NeighAdd_Proxy_ListedAsProxy()
    {
        using var ns = WithBridge(out var nl);
        nl.NeighAdd(new NeighbourSpec("br0", IPAddress.Parse("10.20.0.77"), null) { Proxy = true });
        var shown = ns.Ip("neigh", "show", "proxy");
        Assert.Contains("10.20.0.77 dev br0", shown, StringComparison.Ordinal);
        Assert.Contains(nl.NeighList("br0"), n => n.IsProxy && Equals(n.Address, IPAddress.Parse("10.20.0.77")));
        nl.NeighDelete("br0", IPAddress.Parse("10.20.0.77"), proxy: true);
        Assert.DoesNotContain("10.20.0.77", ns.Ip("neigh", "show", "proxy"), StringComparison.Ordinal);
    }

    [PrivilegedFact]
    public void NeighReplace_WithoutMac_Throws()
    {
        using var ns = WithBridge(out var nl);
        var thrown = Assert.Throws<ArgumentException>(() => nl.NeighReplace(new NeighbourSpec("br0", IPAddress.Parse("10.20.0.9"), null)));
        Assert.Contains("MAC", thrown.Message, StringComparison.Ordinal);
    }

    [PrivilegedFact]
    public void FdbAppend_OnVxlan_PointsMacAtRemoteVtep_ThenDeleted()
    {
        using var ns = TestNamespace.Create();
        var nl = ns.Netlink;
        nl.LinkAdd(new VxlanSpec("vx0", 4097) { Learning = false, Proxy = true, L2Miss = true, L3Miss = true, Up = true });
        var mac = PhysicalAddress.Parse("02-42-0A-00-00-05");
        nl.FdbAppend("vx0", mac, IPAddress.Parse("192.168.77.2"));

        var entry = ns.BridgeJson("fdb", "show", "dev", "vx0").EnumerateArray()
            .Single(e => e.GetProperty("mac").GetString() == "02:42:0a:00:00:05");
        Assert.Equal("192.168.77.2", entry.GetProperty("dst").GetString());
        Assert.Contains("self", entry.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal("permanent", entry.GetProperty("state").GetString());

        var listed = Assert.Single(nl.FdbList("vx0"), e => e.MacAddress.Equals(mac));
        Assert.Equal(IPAddress.Parse("192.168.77.2"), listed.Destination);
        Assert.True(listed.IsSelf);

        nl.FdbReplace("vx0", mac, IPAddress.Parse("192.168.77.3"));
        Assert.Equal("192.168.77.3", ns.BridgeJson("fdb", "show", "dev", "vx0").EnumerateArray()
            .Single(e => e.GetProperty("mac").GetString() == "02:42:0a:00:00:05").GetProperty("dst").GetString());

        nl.FdbDelete("vx0", mac, IPAddress.Parse("192.168.77.3"));
        Assert.DoesNotContain(ns.BridgeJson("fdb", "show", "dev", "vx0").EnumerateArray(), e => e.GetProperty("mac").GetString() == "02:42:0a:00:00:05");
    }

    [PrivilegedFact]
    public void AddrAdd_IPv6NoDad_IsNotTentative()
    {
        using var ns = WithBridge(out var nl);
        nl.LinkAdd(new VethSpec("d0", "d1") { Up = true, PeerUp = true });
        nl.AddrAdd("d0", InterfaceAddress.Parse("fd00:30::1/64"), noDad: true);
        var address = AddrInfo(ns, "d0").Single(a => a.GetProperty("local").GetString() == "fd00:30::1");
        Assert.False(address.TryGetProperty("tentative", out _));
        Assert.True(address.TryGetProperty("nodad", out var nodad) && nodad.GetBoolean());
    }
}
