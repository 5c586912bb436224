using System.Net;
using System.Net.NetworkInformation;
using System.Text.Json;
using Netstack.Linux;
using Netstack.TestKit;
using Xunit;

namespace Netstack.Privileged.Tests.Linux;

public sealed class LinkTests
{
    private static JsonElement Show(TestNamespace ns, string name) => ns.IpJson("-d", "link", "show", "dev", name)[0];

    private static bool Exists(TestNamespace ns, string name) =>
        ns.IpJson("link", "show").EnumerateArray().Any(l => l.GetProperty("ifname").GetString() == name);

    [PrivilegedFact]
    public void LinkAdd_Bridge_ShowsInIpAndDeleteRemovesIt()
    {
        using var ns = TestNamespace.Create();
        var nl = ns.Netlink;
        nl.LinkAdd(new BridgeSpec("br-t") { Mtu = 1400, Up = true, MacAddress = PhysicalAddress.Parse("02-00-00-00-00-01") });

        var shown = Show(ns, "br-t");
        Assert.Equal("bridge", shown.GetProperty("linkinfo").GetProperty("info_kind").GetString());
        Assert.Equal(1400, shown.GetProperty("mtu").GetInt32());
        Assert.Equal("02:00:00:00:00:01", shown.GetProperty("address").GetString());
        Assert.Contains("UP", shown.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));

        var read = nl.LinkGet("br-t");
        Assert.Equal("bridge", read.Kind);
        Assert.Equal(shown.GetProperty("ifindex").GetInt32(), read.Index);
        Assert.True(read.IsUp);
        Assert.Contains(nl.LinkList(), l => l.Name == "br-t");

        nl.LinkDelete("br-t");
        Assert.False(Exists(ns, "br-t"));
        Assert.Null(nl.LinkFind("br-t"));
    }

    [PrivilegedFact]
    public void LinkAdd_VethWithPeerInOtherNamespace_CreatesBothEndsUpAndEnslaved()
    {
        using var host = TestNamespace.Create();
        using var sandbox = TestNamespace.Create();
        var nl = host.Netlink;
        nl.LinkAdd(new BridgeSpec("br0") { Up = true });
        nl.LinkAdd(new VethSpec("veth-h", "eth0") { PeerNamespace = sandbox.Namespace, Master = "br0", Up = true, PeerUp = true, Group = 42 });

        var hostEnd = Show(host, "veth-h");
        Assert.Equal("veth", hostEnd.GetProperty("linkinfo").GetProperty("info_kind").GetString());
        Assert.Equal("br0", hostEnd.GetProperty("master").GetString());
        Assert.Equal("42", hostEnd.GetProperty("group").GetString());
        Assert.Contains("UP", hostEnd.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
        var peer = Show(sandbox, "eth0");
        Assert.Contains("UP", peer.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
        Assert.False(Exists(host, "eth0"));

        nl.LinkDelete("veth-h");
        Assert.False(Exists(host, "veth-h"));
        Assert.False(Exists(sandbox, "eth0"));
    }

    [PrivilegedFact]
    public void LinkAdd_VethWhosePeerNameIsTaken_LeavesNeitherEnd()
    {
        using var host = TestNamespace.Create();
        using var sandbox = TestNamespace.Create();
        sandbox.Netlink.LinkAdd(new BridgeSpec("eth0"));

        var thrown = Assert.Throws<NetlinkException>(() =>
            host.Netlink.LinkAdd(new VethSpec("veth-x", "eth0") { PeerNamespace = sandbox.Namespace }));
        Assert.Equal(Errno.EEXIST, thrown.Errno);
        Assert.StartsWith("link add veth-x: File exists (EEXIST)", thrown.Message, StringComparison.Ordinal);
        Assert.False(Exists(host, "veth-x"));
        Assert.Equal("bridge", Show(sandbox, "eth0").GetProperty("linkinfo").GetProperty("info_kind").GetString());
    }

    [PrivilegedFact]
    public void LinkAdd_ExistingName_ThrowsEexist()
    {
        using var ns = TestNamespace.Create();
        ns.Netlink.LinkAdd(new BridgeSpec("br-x"));
        var thrown = Assert.Throws<NetlinkException>(() => ns.Netlink.LinkAdd(new BridgeSpec("br-x")));
        Assert.True(thrown.IsExists);
        Assert.StartsWith("link add br-x: File exists (EEXIST)", thrown.Message, StringComparison.Ordinal);
    }

    [PrivilegedFact]
    public void LinkAdd_UnknownMaster_ThrowsNotFoundNamingMasterAndCreatesNothing()
    {
        using var ns = TestNamespace.Create();
        var thrown = Assert.Throws<NetlinkNotFoundException>(() =>
            ns.Netlink.LinkAdd(new VethSpec("v1", "v2") { Master = "br-nope" }));
        Assert.Contains("master \"br-nope\"", thrown.Message, StringComparison.Ordinal);
        Assert.False(Exists(ns, "v1"));
        Assert.False(Exists(ns, "v2"));
    }

    [PrivilegedFact]
    public void LinkAdd_PeerInMissingNamespace_CannotBeExpressed()
    {
        // A namespace is held by an open fd, so a "missing" one fails at OpenNamed, before any link request.
        using var ns = TestNamespace.Create();
        Assert.Throws<NetlinkNotFoundException>(() => NetworkNamespace.OpenNamed(TestNamespace.NewName(), TestNamespace.Directory));
        var disposed = NetworkNamespace.Open(ns.Namespace.Path);
        disposed.Dispose();
        Assert.Throws<ObjectDisposedException>(() => ns.Netlink.LinkAdd(new VethSpec("v1", "v2") { PeerNamespace = disposed }));
        Assert.False(Exists(ns, "v1"));
    }

    [PrivilegedFact]
    public void LinkAdd_Vxlan_AllOverlayAttributesReachTheKernel()
    {
        using var ns = TestNamespace.Create();
        var nl = ns.Netlink;
        nl.LinkAdd(new VethSpec("under0", "under1") { Up = true });
        nl.AddrAdd("under0", InterfaceAddress.Parse("192.168.50.1/24"));
        nl.LinkAdd(new VxlanSpec("vx-t", 4200)
        {
            Port = 4789,
            Local = IPAddress.Parse("192.168.50.1"),
            Underlay = "under0",
            Learning = false,
            Proxy = true,
            L2Miss = true,
            L3Miss = true,
            Ttl = 32,
            Mtu = 1450,
        });

        var data = Show(ns, "vx-t").GetProperty("linkinfo").GetProperty("info_data");
        Assert.Equal(4200, data.GetProperty("id").GetInt32());
        Assert.Equal(4789, data.GetProperty("port").GetInt32());
        Assert.Equal("192.168.50.1", data.GetProperty("local").GetString());
        Assert.Equal("under0", data.GetProperty("link").GetString());
        Assert.False(data.GetProperty("learning").GetBoolean());
        Assert.True(data.GetProperty("proxy").GetBoolean());
        Assert.True(data.GetProperty("l2miss").GetBoolean());
        Assert.True(data.GetProperty("l3miss").GetBoolean());
        Assert.Equal(32, data.GetProperty("ttl").GetInt32());
        Assert.Equal(1450, Show(ns, "vx-t").GetProperty("mtu").GetInt32());

        var read = nl.LinkGet("vx-t").Vxlan!;
        Assert.Equal(4200u, read.Vni);
        Assert.Equal(4789, read.Port);
        Assert.True(read.Proxy && read.L2Miss && read.L3Miss && !read.Learning);
        Assert.Equal(nl.LinkIndex("under0"), read.UnderlayIndex);

        nl.LinkDelete("vx-t");
        Assert.False(Exists(ns, "vx-t"));
    }

    [PrivilegedTheory]
    [InlineData(MacvlanMode.Bridge, "bridge")]
    [InlineData(MacvlanMode.Private, "private")]
    [InlineData(MacvlanMode.Vepa, "vepa")]
    [InlineData(MacvlanMode.Passthru, "passthru")]
    public void LinkAdd_Macvlan_ModeReachesTheKernel(MacvlanMode mode, string ipName)
    {
        using var ns = TestNamespace.Create();
        var nl = ns.Netlink;
        nl.LinkAdd(new VethSpec("parent0", "parent1"));
        nl.LinkAdd(new MacvlanSpec("mv0", "parent0", mode));

        var shown = Show(ns, "mv0");
        Assert.Equal("macvlan", shown.GetProperty("linkinfo").GetProperty("info_kind").GetString());
        Assert.Equal(ipName, shown.GetProperty("linkinfo").GetProperty("info_data").GetProperty("mode").GetString());
        Assert.Equal("parent0", shown.GetProperty("link").GetString());
        Assert.Equal(mode, nl.LinkGet("mv0").MacvlanMode);
        nl.LinkDelete("mv0");
        Assert.False(Exists(ns, "mv0"));
    }

    [PrivilegedFact]
    public void LinkAdd_MacvlanOnUnknownParent_NamesTheParent()
    {
        using var ns = TestNamespace.Create();
        var thrown = Assert.Throws<NetlinkNotFoundException>(() => ns.Netlink.LinkAdd(new MacvlanSpec("mv0", "eth9")));
        Assert.Contains("parent \"eth9\"", thrown.Message, StringComparison.Ordinal);
    }

    [PrivilegedFact]
    public void LinkAdd_Vlan_EitherWorksOrSaysTheKernelLacks8021q()
    {
        using var ns = TestNamespace.Create();
        var nl = ns.Netlink;
        nl.LinkAdd(new VethSpec("trunk0", "trunk1"));
        var moduleLoaded = Directory.Exists("/proc/net/vlan") || File.Exists("/sys/module/8021q/initstate");
        try
        {
            nl.LinkAdd(new VlanSpec("trunk0.10", "trunk0", 10));
            var data = Show(ns, "trunk0.10").GetProperty("linkinfo").GetProperty("info_data");
            Assert.Equal(10, data.GetProperty("id").GetInt32());
        }
        catch (NetlinkException e) when (!moduleLoaded)
        {
            Assert.Equal(Errno.EOPNOTSUPP, e.Errno);
            Assert.Contains("link add trunk0.10", e.Message, StringComparison.Ordinal);
            Assert.Contains("802.1Q", e.Message, StringComparison.Ordinal);
            Assert.False(Exists(ns, "trunk0.10"));
        }
    }

    [PrivilegedTheory]
    [InlineData("dummy")]
    [InlineData("ipvlan")]
    [InlineData("no-such-kind")]
    public void LinkAdd_KindThisKernelLacks_SaysSo(string kind)
    {
        using var ns = TestNamespace.Create();
        var supported = TestNamespace.TryRun("ip", "-n", ns.Name, "link", "add", "probe0", "type", kind).ExitCode == 0;
        if (supported)
        {
            ns.Ip("link", "del", "probe0");
            ns.Netlink.LinkAdd(new GenericLinkSpec("k0", kind));
            Assert.True(Exists(ns, "k0"));
            return;
        }
        var thrown = Assert.Throws<NetlinkException>(() => ns.Netlink.LinkAdd(new GenericLinkSpec("k0", kind)));
        Assert.Equal(Errno.EOPNOTSUPP, thrown.Errno);
        Assert.Contains("lacks the driver", thrown.Message, StringComparison.Ordinal);
        Assert.False(Exists(ns, "k0"));
    }

    [PrivilegedFact]
    public void LinkSet_UpDownMtuMacNameMasterGroup_AllVisibleInIp()
    {
        using var ns = TestNamespace.Create();
        var nl = ns.Netlink;
        nl.LinkAdd(new BridgeSpec("br0"));
        nl.LinkAdd(new VethSpec("v0", "v0p"));

        nl.LinkSetUp("v0");
        Assert.Contains("UP", Show(ns, "v0").GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
        nl.LinkSetDown("v0");
        Assert.DoesNotContain("UP", Show(ns, "v0").GetProperty("flags").EnumerateArray().Select(f => f.GetString()));

        nl.LinkSetMtu("v0", 1300);
        Assert.Equal(1300, Show(ns, "v0").GetProperty("mtu").GetInt32());

        nl.LinkSetMacAddress("v0", PhysicalAddress.Parse("02-42-AC-11-00-02"));
        Assert.Equal("02:42:ac:11:00:02", Show(ns, "v0").GetProperty("address").GetString());

        nl.LinkSetGroup("v0", 77);
        Assert.Equal("77", Show(ns, "v0").GetProperty("group").GetString());

        nl.LinkSetMaster("v0", "br0");
        Assert.Equal("br0", Show(ns, "v0").GetProperty("master").GetString());
        Assert.Equal(nl.LinkIndex("br0"), nl.LinkGet("v0").MasterIndex);
        nl.LinkSetNoMaster("v0");
        Assert.False(Show(ns, "v0").TryGetProperty("master", out _));

        var index = nl.LinkIndex("v0");
        nl.LinkSetName("v0", "renamed0");
        Assert.Equal(index, Show(ns, "renamed0").GetProperty("ifindex").GetInt32());
        Assert.False(Exists(ns, "v0"));
    }

    [PrivilegedFact]
    public void LinkSet_UnknownLink_ThrowsNotFoundNamingIt()
    {
        using var ns = TestNamespace.Create();
        var thrown = Assert.Throws<NetlinkNotFoundException>(() => ns.Netlink.LinkSetUp("ghost0"));
        Assert.StartsWith("link set ghost0 up: No such device (ENODEV)", thrown.Message, StringComparison.Ordinal);
        Assert.Throws<NetlinkNotFoundException>(() => ns.Netlink.LinkDelete("ghost0"));
        Assert.Throws<NetlinkNotFoundException>(() => ns.Netlink.LinkGet("ghost0"));
        var master = Assert.Throws<NetlinkNotFoundException>(() => ns.Netlink.LinkSetMaster("lo", "br-ghost"));
        Assert.Contains("master \"br-ghost\"", master.Message, StringComparison.Ordinal);
    }

    [PrivilegedFact]
    public void LinkSetMtu_OutOfRange_ThrowsBeforeAnySyscall()
    {
        using var ns = TestNamespace.Create();
        var thrown = Assert.Throws<ArgumentOutOfRangeException>(() => ns.Netlink.LinkSetMtu("lo", 10));
        Assert.Equal("mtu", thrown.ParamName);
    }

    [PrivilegedFact]
    public void LinkSetNamespace_MovesTheLink()
    {
        using var a = TestNamespace.Create();
        using var b = TestNamespace.Create();
        a.Netlink.LinkAdd(new VethSpec("mv-a", "mv-b"));
        a.Netlink.LinkSetNamespace("mv-b", b.Namespace);
        Assert.False(Exists(a, "mv-b"));
        Assert.True(Exists(b, "mv-b"));

        // A bridge is NETIF_F_NETNS_LOCAL: the kernel's own reason comes through.
        a.Netlink.LinkAdd(new BridgeSpec("br-stay"));
        var thrown = Assert.Throws<NetlinkException>(() => a.Netlink.LinkSetNamespace("br-stay", b.Namespace));
        Assert.Equal(Errno.EINVAL, thrown.Errno);
        Assert.Contains("link set br-stay netns", thrown.Message, StringComparison.Ordinal);
    }

    [PrivilegedFact]
    public void LinkSetNamespace_WithNewName_ArrivesRenamed_AndANewNameTakenThereIsEexistAfterTheMove()
    {
        using var a = TestNamespace.Create();
        using var b = TestNamespace.Create();
        a.Netlink.LinkAdd(new VethSpec("mvn-a", "mvn-b"));
        // b already has a link called like the one that moves: a move-then-rename would collide.
        b.Netlink.LinkAdd(new VethSpec("mvn-b", "mvn-other"));

        a.Netlink.LinkSetNamespace("mvn-b", b.Namespace, "eth0");

        Assert.False(Exists(a, "mvn-b"));
        Assert.True(Exists(b, "eth0"));
        Assert.True(Exists(b, "mvn-b"));

        // The new name taken in the target: EEXIST after the move, the link is there under its old name
        // (the kernel fact the doc comment warns of; the remote driver checks first and moves it back).
        a.Netlink.LinkAdd(new VethSpec("mvn-c", "mvn-d"));
        var thrown = Assert.Throws<NetlinkException>(() => a.Netlink.LinkSetNamespace("mvn-d", b.Namespace, "eth0"));
        Assert.Equal(Errno.EEXIST, thrown.Errno);
        Assert.Contains("link set mvn-d netns", thrown.Message, StringComparison.Ordinal);
        Assert.False(Exists(a, "mvn-d"));
        Assert.True(Exists(b, "mvn-d"));
    }

    [PrivilegedFact]
    public void LinkSetHairpin_OnABridgePort_TurnsHairpinModeOnAndOff()
    {
        using var ns = TestNamespace.Create();
        var nl = ns.Netlink;
        nl.LinkAdd(new BridgeSpec("br0"));
        nl.LinkAdd(new VethSpec("port0", "port0p") { Master = "br0" });

        nl.LinkSetHairpin("port0", true);
        var slave = Show(ns, "port0").GetProperty("linkinfo").GetProperty("info_slave_data");
        Assert.True(slave.GetProperty("hairpin").GetBoolean());
        nl.LinkSetHairpin("port0", false);
        slave = Show(ns, "port0").GetProperty("linkinfo").GetProperty("info_slave_data");
        Assert.False(slave.GetProperty("hairpin").GetBoolean());
    }

    [PrivilegedFact]
    public void LinkDeleteGroup_RemovesEveryLinkOfTheGroupAndNothingElse()
    {
        using var host = TestNamespace.Create();
        using var peers = TestNamespace.Create();
        var nl = host.Netlink;
        nl.LinkAdd(new BridgeSpec("br0") { Group = 5 + 1 });
        for (var i = 0; i < 20; i++)
        {
            nl.LinkAdd(new VethSpec($"g{i}", $"p{i}") { Group = 5, PeerNamespace = peers.Namespace });
        }
        nl.LinkAdd(new VethSpec("keep0", "keep0p") { Group = 7 });

        nl.LinkDeleteGroup(5);
        var left = host.IpJson("link", "show").EnumerateArray().Select(l => l.GetProperty("ifname").GetString()).ToList();
        Assert.DoesNotContain(left, n => n!.StartsWith('g'));
        Assert.Contains("keep0", left);
        Assert.Contains("br0", left);
        Assert.Equal(1, peers.IpJson("link", "show").GetArrayLength()); // only lo: the peers went too

        nl.LinkDeleteGroup(5); // empty group: nothing to do, no error
        Assert.Throws<ArgumentOutOfRangeException>(() => nl.LinkDeleteGroup(0));
    }

    [PrivilegedFact]
    public void LinkDeleteGroup_WithBridge_DeletesItsPortsAndBringsTheBridgeBackUp()
    {
        using var host = TestNamespace.Create();
        using var peers = TestNamespace.Create();
        var nl = host.Netlink;
        nl.LinkAdd(new BridgeSpec("br0") { Up = true });
        for (var i = 0; i < 20; i++)
        {
            nl.LinkAdd(new VethSpec($"g{i}", $"p{i}") { Group = 5, Master = "br0", Up = true, PeerNamespace = peers.Namespace, PeerUp = true });
        }
        nl.LinkAdd(new VethSpec("keep0", "keep0p") { Group = 7, Master = "br0", Up = true });

        nl.LinkDeleteGroup(5, "br0");

        var ports = host.IpJson("link", "show", "master", "br0").EnumerateArray().Select(l => l.GetProperty("ifname").GetString()).ToList();
        Assert.Equal(["keep0"], ports);
        Assert.Equal(1, peers.IpJson("link", "show").GetArrayLength()); // only lo
        Assert.Contains("UP", Show(host, "br0").GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
    }

    [PrivilegedFact]
    public void LinkDeleteGroup_WithBridgeInTheGroup_DeletesBridgeAndPorts_AndLeavesADownBridgeDown()
    {
        using var host = TestNamespace.Create();
        var nl = host.Netlink;
        nl.LinkAdd(new BridgeSpec("br0") { Up = true, Group = 9 });
        nl.LinkAdd(new BridgeSpec("br1"));
        for (var i = 0; i < 5; i++)
        {
            nl.LinkAdd(new VethSpec($"a{i}", $"ap{i}") { Group = 9, Master = "br0", Up = true });
            nl.LinkAdd(new VethSpec($"b{i}", $"bp{i}") { Group = 8, Master = "br1", Up = true });
        }

        nl.LinkDeleteGroup(9, "br0"); // the bridge itself is in the group: nothing to bring back up
        nl.LinkDeleteGroup(8, "br1"); // br1 was down: its ports go, it stays and stays down
        nl.LinkDeleteGroup(10, "no-such-bridge"); // an absent bridge means a plain group delete

        var names = host.IpJson("link", "show").EnumerateArray().Select(l => l.GetProperty("ifname").GetString()).ToList();
        Assert.Equal(["lo", "br1"], names);
        Assert.DoesNotContain("UP", Show(host, "br1").GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
        Assert.Throws<ArgumentOutOfRangeException>(() => nl.LinkDeleteGroup(0, "br0"));
    }

    [PrivilegedFact]
    public void Batch_ManyVethPairs_AllCreatedAndFailuresReportedPerRequest()
    {
        using var host = TestNamespace.Create();
        using var sandbox = TestNamespace.Create();
        var nl = host.Netlink;
        nl.LinkAdd(new BridgeSpec("br0") { Up = true });
        var master = nl.LinkIndex("br0");
        var batch = nl.Batch();
        for (var i = 0; i < 300; i++)
        {
            batch.LinkAdd(new VethSpec($"b{i}", $"c{i}") { PeerNamespace = sandbox.Namespace, Master = master, Up = true, PeerUp = true, Group = 3 });
        }
        batch.LinkAdd(new BridgeSpec("br0")); // fails: exists
        var thrown = Assert.Throws<NetlinkBatchException>(batch.Execute);
        var failure = Assert.Single(thrown.Failures);
        Assert.StartsWith("link add br0: File exists", failure.Message, StringComparison.Ordinal);

        var ports = host.IpJson("link", "show", "master", "br0").GetArrayLength();
        Assert.Equal(300, ports);
        // ip prints {} for links its "up" filter drops, so filter by the flags instead.
        var peersUp = sandbox.IpJson("link", "show").EnumerateArray().Count(l =>
            l.GetProperty("ifname").GetString()!.StartsWith('c') && l.GetProperty("flags").EnumerateArray().Any(f => f.GetString() == "UP"));
        Assert.Equal(300, peersUp);
        nl.LinkDeleteGroup(3);
        Assert.Equal(0, host.IpJson("link", "show", "master", "br0").GetArrayLength());
    }

    [PrivilegedFact]
    public void Batch_SpanningSeveralSends_CollectsEveryAck()
    {
        using var ns = TestNamespace.Create();
        // 8 KiB sends hold some 70 veth requests each, so 200 pairs take several sends.
        var batch = new NetlinkBatch(ns.Netlink, chunkBytes: 8192);
        for (var i = 0; i < 200; i++)
        {
            batch.LinkAdd(new VethSpec($"s{i}", $"t{i}") { Group = 9, Up = true });
        }
        batch.LinkDelete("absent0"); // the last request fails; everything before it stands
        var thrown = Assert.Throws<NetlinkBatchException>(batch.Execute);
        Assert.StartsWith("link del absent0: No such device", Assert.Single(thrown.Failures).Message, StringComparison.Ordinal);
        // ip prints {} for links its group filter drops.
        Assert.Equal(200, ns.IpJson("link", "show", "group", "9").EnumerateArray().Count(l => l.TryGetProperty("ifname", out _)));
        Assert.Equal(200, ns.Netlink.LinkList().Count(l => l.Name.StartsWith('t')));
        Assert.Equal(200, ns.Netlink.LinkList().Count(l => l.Name.StartsWith('s') && l.IsUp && l.Group == 9));
    }

    [PrivilegedFact]
    public void Handle_UsedFromManyThreadsAtOnce_SerialisesRequests()
    {
        using var ns = TestNamespace.Create();
        var nl = ns.Netlink;
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, t =>
        {
            for (var i = 0; i < 15; i++)
            {
                nl.LinkAdd(new BridgeSpec($"br-{t}-{i}"));
                Assert.Equal($"br-{t}-{i}", nl.LinkGet($"br-{t}-{i}").Name);
            }
        });
        Assert.Equal(120, ns.IpJson("link", "show", "type", "bridge").EnumerateArray().Count(l => l.TryGetProperty("ifname", out _)));
    }

    [PrivilegedFact]
    public void DeletingANamespace_RemovesItsLinksAndTheirVethPeers()
    {
        using var host = TestNamespace.Create();
        var sandboxName = TestNamespace.NewName();
        try
        {
            using (var sandbox = NetworkNamespace.Create(sandboxName, TestNamespace.Directory))
            {
                host.Netlink.LinkAdd(new VethSpec("to-sb", "eth0") { PeerNamespace = sandbox });
            }
            Assert.True(Exists(host, "to-sb"));
            NetworkNamespace.Delete(sandboxName, TestNamespace.Directory);
            // The kernel tears the namespace down asynchronously (cleanup_net); wait for the host end to go.
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (Exists(host, "to-sb") && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(50);
            }
            Assert.False(Exists(host, "to-sb"));
        }
        finally
        {
            if (NetworkNamespace.Exists(sandboxName, TestNamespace.Directory))
            {
                NetworkNamespace.Delete(sandboxName, TestNamespace.Directory);
            }
        }
    }

    [PrivilegedFact]
    public void LinkAdd_WithNamespace_CreatesTheLinkThereDirectly()
    {
        using var host = TestNamespace.Create();
        using var other = TestNamespace.Create();
        host.Netlink.LinkAdd(new BridgeSpec("br-there") { Namespace = other.Namespace, Up = true });
        Assert.False(Exists(host, "br-there"));
        Assert.Contains("UP", Show(other, "br-there").GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
    }
}
