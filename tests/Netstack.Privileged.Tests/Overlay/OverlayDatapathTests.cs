using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Netstack.Core;
using Netstack.Drivers.Overlay;
using Netstack.TestKit;
using Xunit;

namespace Netstack.Privileged.Tests.Overlay;

/// <summary>
/// The overlay driver on two namespace hosts joined by a veth underlay: sandboxes on different
/// hosts reach each other through VXLAN, with the peers' neighbour and FDB entries programmed from
/// the shared table.
/// </summary>
public sealed class OverlayDatapathTests
{
    [PrivilegedFact]
    public async Task Join_OnTwoHosts_SandboxesPingEachOtherOverVxlan()
    {
        await using var lab = OverlayLab.Create();
        var network = await lab.CreateNetworkAsync(OverlayLab.Network());
        var a = await lab.ConnectAsync(lab.A, network, "10.77.0.2");
        var b = await lab.ConnectAsync(lab.B, network, "10.77.0.3");

        Assert.True(await OverlayLab.EventuallyAsync(() => HasNeighbour(lab.A, network.NetworkId, b) && HasNeighbour(lab.B, network.NetworkId, a)),
            "each host programs the other's endpoint");
        Assert.True(NamespacePing.Any(a.Ns, b.Address), "a sandbox on host A pings one on host B through the tunnel");
        Assert.True(NamespacePing.Any(b.Ns, a.Address), "and back");
        // The overlay reaches its own subnet only; the way out is a gateway bridge the controller adds.
        Assert.Null(a.Join.Gateway);
        Assert.False(a.Join.DisableGatewayService);
    }

    [PrivilegedFact]
    public async Task Join_First_MakesNamespaceWithBridgeAndVxlanAsDocker()
    {
        await using var lab = OverlayLab.Create();
        var network = await lab.CreateNetworkAsync(OverlayLab.Network(vni: 4099));
        Assert.Empty(lab.A.OverlayNamespaces());

        var a = await lab.ConnectAsync(lab.A, network, "10.77.0.2");

        var name = Assert.Single(lab.A.OverlayNamespaces());
        Assert.Equal($"ov-4099-{network.NetworkId[..10]}", name);
        var vx = VxlanName(lab.A, name);
        var link = lab.A.IpJsonIn(name, "-d", "link", "show", vx)[0];
        var data = link.GetProperty("linkinfo").GetProperty("info_data");
        Assert.Equal(4099, data.GetProperty("id").GetInt32());
        Assert.Equal(4789, data.GetProperty("port").GetInt32());
        Assert.Equal("192.168.77.1", data.GetProperty("local").GetString());
        Assert.False(data.GetProperty("learning").GetBoolean());
        Assert.True(data.GetProperty("proxy").GetBoolean());
        Assert.True(data.GetProperty("l2miss").GetBoolean());
        Assert.True(data.GetProperty("l3miss").GetBoolean());
        Assert.Equal(1450, link.GetProperty("mtu").GetInt32());
        Assert.Equal("br0", link.GetProperty("master").GetString());
        var bridge = lab.A.IpJsonIn(name, "addr", "show", "br0")[0];
        Assert.Equal(1450, bridge.GetProperty("mtu").GetInt32());
        Assert.Contains(bridge.GetProperty("addr_info").EnumerateArray(), i => i.GetProperty("local").GetString() == "10.77.0.1" && i.GetProperty("prefixlen").GetInt32() == 24);
        // The sandbox end: requested name, the endpoint's MAC, the network's MTU, left down for the controller.
        var eth0 = a.Ns.IpJson("link", "show", "eth0")[0];
        Assert.Equal(a.MacAddress, eth0.GetProperty("address").GetString());
        Assert.Equal(1450, eth0.GetProperty("mtu").GetInt32());
        // The device was made in the host namespace and moved: its UDP socket stayed there.
        Assert.DoesNotContain(OverlayLinks(lab.A.Namespace), l => l.StartsWith("vx-", StringComparison.Ordinal));
        Assert.Contains(":4789", lab.A.Namespace.Exec("ss", "-Hlun"), StringComparison.Ordinal);
    }

    [PrivilegedFact]
    public async Task PeerEntries_RemoteEndpoint_ProgramsPermanentNeighbourAndFdb()
    {
        await using var lab = OverlayLab.Create();
        var network = await lab.CreateNetworkAsync(OverlayLab.Network());
        await lab.ConnectAsync(lab.A, network, "10.77.0.2");
        var b = await lab.ConnectAsync(lab.B, network, "10.77.0.3");

        Assert.True(await OverlayLab.EventuallyAsync(() => HasNeighbour(lab.A, network.NetworkId, b) && HasFdb(lab.A, network.NetworkId, b)));
        var name = Assert.Single(lab.A.OverlayNamespaces());
        var vx = VxlanName(lab.A, name);
        var neighbour = lab.A.IpJsonIn(name, "neigh", "show", "dev", vx).EnumerateArray().Single(n => n.GetProperty("dst").GetString() == "10.77.0.3");
        Assert.Equal(b.MacAddress, neighbour.GetProperty("lladdr").GetString());
        Assert.Contains("PERMANENT", neighbour.GetProperty("state").EnumerateArray().Select(s => s.GetString()));
        var fdb = lab.A.BridgeJsonIn(name, "fdb", "show", "dev", vx).EnumerateArray().Single(f => f.GetProperty("mac").GetString() == b.MacAddress);
        Assert.Equal("192.168.77.2", fdb.GetProperty("dst").GetString());
        Assert.Equal("permanent", fdb.GetProperty("state").GetString());
        Assert.Contains("self", fdb.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
        // The local endpoint is on br0 already: no tunnel entry for it.
        Assert.DoesNotContain(lab.A.IpJsonIn(name, "neigh", "show", "dev", vx).EnumerateArray(), n => n.GetProperty("dst").GetString() == "10.77.0.2");
        Assert.Equal([new OverlayPeer("node-a", lab.A.Vtep), new OverlayPeer("node-b", lab.B.Vtep)], lab.A.Driver.Peers(network.NetworkId));
    }

    [PrivilegedFact]
    public async Task KnownPeer_Ping_NoArpCrossesTheUnderlay()
    {
        await using var lab = OverlayLab.Create();
        var network = await lab.CreateNetworkAsync(OverlayLab.Network());
        var a = await lab.ConnectAsync(lab.A, network, "10.77.0.2");
        var b = await lab.ConnectAsync(lab.B, network, "10.77.0.3");
        Assert.True(await OverlayLab.EventuallyAsync(() => HasNeighbour(lab.A, network.NetworkId, b) && HasNeighbour(lab.B, network.NetworkId, a)));
        Assert.True(NamespacePing.Any(a.Ns, b.Address), "the path works before the capture");
        // Forget what the sandboxes learnt, so the next ping must resolve the peer's MAC again.
        a.Ns.Exec("ip", "neigh", "flush", "all");
        b.Ns.Exec("ip", "neigh", "flush", "all");

        using var capture = UnderlayCapture.Start(lab.A.Namespace.Namespace);
        Assert.True(NamespacePing.Any(a.Ns, b.Address));
        capture.Drain();

        // The capture sees the tunnelled echo (so it would see a tunnelled ARP too), but the ARP
        // requests were answered by each host's VXLAN proxy from the neighbour table.
        Assert.True(capture.InnerIcmp >= 2, $"echo and reply crossed the underlay in VXLAN ({capture.VxlanFrames} VXLAN frames, {capture.InnerIcmp} ICMP)");
        Assert.Equal(0, capture.InnerArp);
        Assert.True(a.Ns.IpJson("neigh", "show", b.Address.ToString()).GetArrayLength() == 1, "the sandbox did resolve the peer (by the proxy's answer)");
    }

    [PrivilegedFact]
    public async Task AskedBeforeThePeerExisted_ResolvedAsSoonAsItsEntryArrives()
    {
        await using var lab = OverlayLab.Create();
        var network = await lab.CreateNetworkAsync(OverlayLab.Network());
        var a = await lab.ConnectAsync(lab.A, network, "10.77.0.2");
        // A sandbox that tries a peer before it exists holds an unresolved entry for it; with a
        // one-minute retransmit time it would not ask again within this test.
        a.Ns.Exec("sysctl", "-qw", "net.ipv4.neigh.eth0.retrans_time_ms=60000");
        a.Ns.TryExec("busybox", "ping", "-c", "1", "-W", "1", "10.77.0.3");
        Assert.Contains(a.Ns.IpJson("neigh", "show", "10.77.0.3").EnumerateArray(), e => !e.TryGetProperty("lladdr", out _));

        var b = await lab.ConnectAsync(lab.B, network, "10.77.0.3");

        // Host A announces the peer on br0 when it programs it: the waiting entry resolves now.
        Assert.True(await OverlayLab.EventuallyAsync(() => a.Ns.IpJson("neigh", "show", "10.77.0.3").EnumerateArray()
            .Any(e => e.TryGetProperty("lladdr", out var l) && l.GetString() == b.MacAddress), seconds: 10),
            "the sandbox's entry took the peer's MAC without asking again");
        Assert.True(NamespacePing.Any(a.Ns, b.Address), "and the peer answers");
    }

    [PrivilegedFact]
    public async Task NodeFailure_EntriesSuspended_RemovedThenProgrammedAgain()
    {
        await using var lab = OverlayLab.Create();
        var network = await lab.CreateNetworkAsync(OverlayLab.Network());
        var a = await lab.ConnectAsync(lab.A, network, "10.77.0.2");
        var b = await lab.ConnectAsync(lab.B, network, "10.77.0.3");
        Assert.True(await OverlayLab.EventuallyAsync(() => HasNeighbour(lab.A, network.NetworkId, b) && HasFdb(lab.A, network.NetworkId, b)));

        lab.Tables.Fail("node-b");

        Assert.True(await OverlayLab.EventuallyAsync(() => !HasNeighbour(lab.A, network.NetworkId, b) && !HasFdb(lab.A, network.NetworkId, b)),
            "a failed node's endpoints leave the kernel");
        Assert.Equal([new OverlayPeer("node-a", lab.A.Vtep)], lab.A.Driver.Peers(network.NetworkId));
        Assert.False(NamespacePing.Once(a.Ns, b.Address), "no path to a suspended peer");

        lab.Tables.Recover("node-b");

        Assert.True(await OverlayLab.EventuallyAsync(() => HasNeighbour(lab.A, network.NetworkId, b) && HasFdb(lab.A, network.NetworkId, b)),
            "its entries come back with it");
        Assert.True(NamespacePing.Any(a.Ns, b.Address));
        Assert.Equal(2, lab.A.Driver.Peers(network.NetworkId).Count);
    }

    [PrivilegedFact]
    public async Task Leave_RemoteEndpoint_EntriesWithdrawnAndRemoved()
    {
        await using var lab = OverlayLab.Create();
        var network = await lab.CreateNetworkAsync(OverlayLab.Network());
        await lab.ConnectAsync(lab.A, network, "10.77.0.2");
        var b = await lab.ConnectAsync(lab.B, network, "10.77.0.3");
        Assert.True(await OverlayLab.EventuallyAsync(() => HasNeighbour(lab.A, network.NetworkId, b)));

        await OverlayLab.DisconnectAsync(b);

        Assert.DoesNotContain(lab.Tables.Entries(), e => e.Key == b.EndpointId);
        Assert.True(await OverlayLab.EventuallyAsync(() => !HasNeighbour(lab.A, network.NetworkId, b) && !HasFdb(lab.A, network.NetworkId, b)));
        // B's last endpoint went: so did its overlay namespace.
        Assert.Empty(lab.B.OverlayNamespaces());
    }

    [PrivilegedFact]
    public async Task PeerTable_GarbageEntry_SkippedAndValidOnesStillProgrammed()
    {
        await using var lab = OverlayLab.Create();
        var network = await lab.CreateNetworkAsync(OverlayLab.Network());
        await lab.ConnectAsync(lab.A, network, "10.77.0.2");

        lab.Tables.PublishAs("node-x", network.NetworkId, OverlayDriver.PeerTable, "junk", new byte[] { 1, 4, 10, 77 });
        lab.Tables.PublishAs("node-x", network.NetworkId, OverlayDriver.PeerTable, "junk2", new byte[] { 9, 9, 9 });
        var valid = new PeerRecord(IPAddress.Parse("10.77.0.9"), 24, System.Net.NetworkInformation.PhysicalAddress.Parse("02-42-0a-4d-00-09"), IPAddress.Parse("192.168.77.9"));
        lab.Tables.PublishAs("node-x", network.NetworkId, OverlayDriver.PeerTable, "good", PeerRecordCodec.Encode(valid));

        var name = Assert.Single(lab.A.OverlayNamespaces());
        Assert.True(await OverlayLab.EventuallyAsync(() => lab.A.IpJsonIn(name, "neigh", "show", "dev", VxlanName(lab.A, name)).EnumerateArray()
            .Any(n => n.GetProperty("dst").GetString() == "10.77.0.9")));
        Assert.Equal(["node-a", "node-x"], lab.A.Driver.Peers(network.NetworkId).Select(p => p.Node));
    }

    [PrivilegedFact]
    public async Task L3Miss_KernelEntryLost_AnsweredFromTheTable()
    {
        await using var lab = OverlayLab.Create();
        var network = await lab.CreateNetworkAsync(OverlayLab.Network());
        var a = await lab.ConnectAsync(lab.A, network, "10.77.0.2");
        var b = await lab.ConnectAsync(lab.B, network, "10.77.0.3");
        Assert.True(await OverlayLab.EventuallyAsync(() => HasNeighbour(lab.A, network.NetworkId, b) && HasNeighbour(lab.B, network.NetworkId, a)));
        var name = Assert.Single(lab.A.OverlayNamespaces());

        // Someone removed the entry behind the driver's back; the next ARP for it misses.
        lab.A.ExecIn(name, "ip", "neigh", "del", "10.77.0.3", "dev", VxlanName(lab.A, name));
        Assert.False(HasNeighbour(lab.A, network.NetworkId, b));
        a.Ns.Exec("ip", "neigh", "flush", "all");
        NamespacePing.Once(a.Ns, b.Address);

        Assert.True(await OverlayLab.EventuallyAsync(() => HasNeighbour(lab.A, network.NetworkId, b)), "the l3miss was answered from the peer table");
        Assert.True(await OverlayLab.EventuallyAsync(() => NamespacePing.Once(a.Ns, b.Address), 15));
    }

    [PrivilegedFact]
    public async Task L2Miss_FdbEntryLost_AnsweredFromTheTable()
    {
        await using var lab = OverlayLab.Create();
        var network = await lab.CreateNetworkAsync(OverlayLab.Network());
        var a = await lab.ConnectAsync(lab.A, network, "10.77.0.2");
        var b = await lab.ConnectAsync(lab.B, network, "10.77.0.3");
        Assert.True(await OverlayLab.EventuallyAsync(() => HasFdb(lab.A, network.NetworkId, b) && HasNeighbour(lab.B, network.NetworkId, a)));
        Assert.True(NamespacePing.Any(a.Ns, b.Address), "the sandbox has learnt the peer's MAC");
        var name = Assert.Single(lab.A.OverlayNamespaces());

        // The sandbox still knows the MAC, but the VXLAN device no longer knows where it lives.
        lab.A.ExecIn(name, "bridge", "fdb", "del", b.MacAddress, "dev", VxlanName(lab.A, name), "self");
        Assert.False(HasFdb(lab.A, network.NetworkId, b));
        NamespacePing.Once(a.Ns, b.Address);

        Assert.True(await OverlayLab.EventuallyAsync(() => HasFdb(lab.A, network.NetworkId, b)), "the l2miss was answered from the peer table");
        Assert.True(await OverlayLab.EventuallyAsync(() => NamespacePing.Once(a.Ns, b.Address), 15));
    }

    [PrivilegedFact]
    public async Task Join_InterfaceNameTakenInSandbox_ConflictAndFirstJoinUndone()
    {
        await using var lab = OverlayLab.Create();
        var network = await lab.CreateNetworkAsync(OverlayLab.Network());
        var sandbox = TestNamespace.Create();
        try
        {
            sandbox.Netlink.LinkAdd(new Netstack.Linux.BridgeSpec("eth0"));
            var e = await Assert.ThrowsAsync<ConflictException>(() => lab.A.Driver.JoinAsync(new Netstack.Core.Drivers.JoinRequest
            {
                NetworkId = network.NetworkId,
                EndpointId = ObjectId.New(),
                SandboxKey = sandbox.Namespace.Path,
                InterfaceName = "eth0",
                MacAddress = "02:42:0a:4d:00:02",
                IPv4Address = new CidrAddress(IPAddress.Parse("10.77.0.2"), 24),
            }, CancellationToken.None));

            Assert.Contains("eth0", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            sandbox.Dispose();
        }
        Assert.Empty(lab.A.OverlayNamespaces());
        Assert.Equal(["lo", OverlayLab.UnderlayName], OverlayLinks(lab.A.Namespace));
        Assert.DoesNotContain(lab.Tables.Entries(), x => x.Network == network.NetworkId);
    }

    [PrivilegedFact]
    public async Task Leave_NotTheLastEndpoint_KeepsTheNamespace()
    {
        await using var lab = OverlayLab.Create();
        var network = await lab.CreateNetworkAsync(OverlayLab.Network());
        var first = await lab.ConnectAsync(lab.A, network, "10.77.0.2");
        var second = await lab.ConnectAsync(lab.A, network, "10.77.0.4");
        var name = Assert.Single(lab.A.OverlayNamespaces());

        await OverlayLab.DisconnectAsync(first);

        Assert.Equal([name], lab.A.OverlayNamespaces());
        Assert.DoesNotContain(lab.Tables.Entries(), e => e.Key == first.EndpointId);
        Assert.Contains(lab.Tables.Entries(), e => e.Key == second.EndpointId);

        await OverlayLab.DisconnectAsync(second);

        Assert.Empty(lab.A.OverlayNamespaces());
        Assert.Equal(["lo", OverlayLab.UnderlayName], OverlayLinks(lab.A.Namespace));
    }

    [PrivilegedFact]
    public async Task DeleteNetwork_LeavesNoNamespaceDeviceOrEntry()
    {
        await using var lab = OverlayLab.Create();
        var network = await lab.CreateNetworkAsync(OverlayLab.Network());
        var a = await lab.ConnectAsync(lab.A, network, "10.77.0.2");
        await lab.ConnectAsync(lab.B, network, "10.77.0.3");
        Assert.Single(lab.A.OverlayNamespaces());

        await lab.A.Driver.DeleteNetworkAsync(network.NetworkId, CancellationToken.None);
        await lab.B.Driver.DeleteNetworkAsync(network.NetworkId, CancellationToken.None);

        Assert.Empty(lab.A.OverlayNamespaces());
        Assert.Empty(lab.B.OverlayNamespaces());
        Assert.Equal(["lo", OverlayLab.UnderlayName], OverlayLinks(lab.A.Namespace));
        Assert.Equal(["lo", OverlayLab.UnderlayName], OverlayLinks(lab.B.Namespace));
        Assert.DoesNotContain(lab.Tables.Entries(), e => e.Network == network.NetworkId);
        // The sandbox's end died with its pair.
        Assert.DoesNotContain("eth0", OverlayLinks(a.Ns));
        Assert.DoesNotContain(":4789", lab.A.Namespace.Exec("ss", "-Hlun"), StringComparison.Ordinal);
        Assert.Empty(lab.A.Driver.Peers(network.NetworkId));
    }

    [PrivilegedTheory]
    [InlineData("abc", DockerOptions.OverlayVxlanIdList, null)]
    [InlineData("16777216", DockerOptions.OverlayVxlanIdList, null)]
    [InlineData("4097", DockerOptions.OverlayEncrypted, "true")]
    [InlineData("4097", DockerOptions.DriverMtu, "1451")]
    public async Task CreateNetwork_BadOption_NamesTheFieldAndMakesNothing(string vni, string field, string? value)
    {
        await using var lab = OverlayLab.Create();
        var network = OverlayLab.Network() with
        {
            Options = new Dictionary<string, string>(StringComparer.Ordinal) { [DockerOptions.OverlayVxlanIdList] = vni },
        };
        if (value is not null)
        {
            network = network with { Options = new Dictionary<string, string>(network.Options, StringComparer.Ordinal) { [field] = value } };
        }

        var e = await Assert.ThrowsAsync<InvalidParameterException>(() => lab.A.Driver.CreateNetworkAsync(network, CancellationToken.None));

        Assert.Equal(field, e.Field);
        Assert.Contains(field, e.Message, StringComparison.Ordinal);
        Assert.Equal(value ?? vni, e.Value);
        // Not remembered: a join finds no network, and nothing was made in the kernel.
        var sandbox = TestNamespace.Create();
        try
        {
            await Assert.ThrowsAsync<NotFoundException>(() => lab.A.Driver.JoinAsync(new Netstack.Core.Drivers.JoinRequest
            {
                NetworkId = network.NetworkId,
                EndpointId = ObjectId.New(),
                SandboxKey = sandbox.Namespace.Path,
                InterfaceName = "eth0",
                MacAddress = "02:42:0a:4d:00:02",
                IPv4Address = new CidrAddress(IPAddress.Parse("10.77.0.2"), 24),
            }, CancellationToken.None));
            Assert.Equal(["lo"], OverlayLinks(sandbox));
        }
        finally
        {
            sandbox.Dispose();
        }
        Assert.Empty(lab.A.OverlayNamespaces());
        Assert.Equal(["lo", OverlayLab.UnderlayName], OverlayLinks(lab.A.Namespace));
    }

    [PrivilegedFact]
    public async Task Join_DstportHeldByPlainUdpSocket_ConflictAndNothingLeft()
    {
        await using var lab = OverlayLab.Create();
        var network = await lab.CreateNetworkAsync(OverlayLab.Network());
        using var squatter = lab.A.Namespace.Namespace.Run(() => new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp));
        squatter.Bind(new IPEndPoint(IPAddress.Any, 4789));

        var e = await Assert.ThrowsAsync<ConflictException>(() => lab.ConnectAsync(lab.A, network, "10.77.0.2"));

        Assert.Contains("dstport", e.Message, StringComparison.Ordinal);
        Assert.Contains("4789", e.Message, StringComparison.Ordinal);
        Assert.Empty(lab.A.OverlayNamespaces());
        Assert.Equal(["lo", OverlayLab.UnderlayName], OverlayLinks(lab.A.Namespace));
        Assert.DoesNotContain(lab.Tables.Entries(), x => x.Network == network.NetworkId);
    }

    [PrivilegedFact]
    public async Task Reconcile_AfterRestart_ReusesNamespaceReprogramsPeersAndRemovesOrphans()
    {
        await using var lab = OverlayLab.Create();
        var network = await lab.CreateNetworkAsync(OverlayLab.Network());
        var a = await lab.ConnectAsync(lab.A, network, "10.77.0.2");
        var b = await lab.ConnectAsync(lab.B, network, "10.77.0.3");
        Assert.True(await OverlayLab.EventuallyAsync(() => HasNeighbour(lab.A, network.NetworkId, b)));
        var name = Assert.Single(lab.A.OverlayNamespaces());
        // A crash left a namespace of a network the store no longer has.
        Netstack.Linux.NetworkNamespace.Create("ov-4242-deadbeef00", lab.A.NamespaceDirectory).Dispose();
        lab.A.ExecIn(name, "ip", "neigh", "del", "10.77.0.3", "dev", VxlanName(lab.A, name));

        lab.A.RestartDriver();
        var report = await lab.A.Driver.ReconcileAsync(new Netstack.Core.Drivers.DriverReconcileRequest
        {
            Networks = [network],
            Endpoints =
            [
                new Netstack.Core.Drivers.DriverEndpointState
                {
                    Endpoint = new Netstack.Core.Drivers.DriverEndpoint { NetworkId = network.NetworkId, EndpointId = a.EndpointId, MacAddress = a.MacAddress, IPv4Address = new CidrAddress(a.Address, 24) },
                    Join = new Netstack.Core.Drivers.JoinRequest { NetworkId = network.NetworkId, EndpointId = a.EndpointId, SandboxKey = a.Ns.Namespace.Path, InterfaceName = "eth0", MacAddress = a.MacAddress },
                },
            ],
        }, CancellationToken.None);

        Assert.Empty(report.Errors);
        Assert.Contains(report.Removed, r => r.Contains("ov-4242-deadbeef00", StringComparison.Ordinal));
        Assert.Equal([name], lab.A.OverlayNamespaces());
        Assert.True(await OverlayLab.EventuallyAsync(() => HasNeighbour(lab.A, network.NetworkId, b)), "the watch is back and the peer programmed again");
        Assert.True(NamespacePing.Any(a.Ns, b.Address), "the joined sandbox kept its connectivity");
    }

    [PrivilegedFact]
    public async Task Mtu_NotGiven_IsTheAdvertiseInterfacesMtuLess50()
    {
        await using var lab = OverlayLab.Create(underlayMtu: 1400);
        Assert.Equal(1400, lab.A.Driver.UnderlayMtu);
        var tooBig = OverlayLab.Network(extra: new Dictionary<string, string> { [DockerOptions.DriverMtu] = "1351" });
        var e = await Assert.ThrowsAsync<InvalidParameterException>(() => lab.A.Driver.CreateNetworkAsync(tooBig, CancellationToken.None));
        Assert.Contains("1350", e.Message, StringComparison.Ordinal);

        var network = await lab.CreateNetworkAsync(OverlayLab.Network());
        var a = await lab.ConnectAsync(lab.A, network, "10.77.0.2");
        var b = await lab.ConnectAsync(lab.B, network, "10.77.0.3");

        var name = Assert.Single(lab.A.OverlayNamespaces());
        Assert.Equal(1350, lab.A.IpJsonIn(name, "link", "show", VxlanName(lab.A, name))[0].GetProperty("mtu").GetInt32());
        Assert.Equal(1350, a.Ns.IpJson("link", "show", "eth0")[0].GetProperty("mtu").GetInt32());
        Assert.True(await OverlayLab.EventuallyAsync(() => HasNeighbour(lab.A, network.NetworkId, b) && HasNeighbour(lab.B, network.NetworkId, a)));
        // A packet of the overlay's full MTU (1350 = 1322 bytes of echo data + ICMP 8 + IPv4 20) crosses.
        var answered = Enumerable.Range(0, 3).Any(_ => a.Ns.TryExec("busybox", "ping", "-c", "1", "-W", "1", "-s", "1322", b.Address.ToString()).ExitCode == 0);
        Assert.True(answered, "a full-size echo crosses the tunnel");
    }

    [PrivilegedFact]
    public async Task Reconcile_NamespaceGone_RecreatedAndLostInterfaceReported()
    {
        await using var lab = OverlayLab.Create();
        var network = await lab.CreateNetworkAsync(OverlayLab.Network());
        var a = await lab.ConnectAsync(lab.A, network, "10.77.0.2");
        var name = Assert.Single(lab.A.OverlayNamespaces());
        lab.A.RestartDriver();
        Netstack.Linux.NetworkNamespace.Delete(name, lab.A.NamespaceDirectory);

        var report = await lab.A.Driver.ReconcileAsync(new Netstack.Core.Drivers.DriverReconcileRequest
        {
            Networks = [network],
            Endpoints =
            [
                new Netstack.Core.Drivers.DriverEndpointState
                {
                    Endpoint = new Netstack.Core.Drivers.DriverEndpoint { NetworkId = network.NetworkId, EndpointId = a.EndpointId, MacAddress = a.MacAddress, IPv4Address = new CidrAddress(a.Address, 24) },
                    Join = new Netstack.Core.Drivers.JoinRequest { NetworkId = network.NetworkId, EndpointId = a.EndpointId, SandboxKey = a.Ns.Namespace.Path, InterfaceName = "eth0", MacAddress = a.MacAddress },
                },
            ],
        }, CancellationToken.None);

        Assert.Contains(report.Recreated, r => r.Contains(name, StringComparison.Ordinal));
        Assert.Contains(report.Errors, r => r.Contains(a.EndpointId, StringComparison.Ordinal) && r.Contains("gone", StringComparison.Ordinal));
        Assert.Equal([name], lab.A.OverlayNamespaces());
        Assert.Equal("br0", lab.A.IpJsonIn(name, "link", "show", VxlanName(lab.A, name))[0].GetProperty("master").GetString());
        // Its interface is gone, so it is not announced to the other hosts.
        Assert.DoesNotContain(lab.Tables.Entries(), e => e.Key == a.EndpointId);
    }

    private static bool HasNeighbour(OverlayHost host, string networkId, OverlaySandbox peer)
    {
        var name = host.OverlayNamespaces().SingleOrDefault(n => n.EndsWith(networkId[..10], StringComparison.Ordinal));
        return name is not null && host.IpJsonIn(name, "neigh", "show", "dev", VxlanName(host, name)).EnumerateArray()
            .Any(n => n.GetProperty("dst").GetString() == peer.Address.ToString() && n.GetProperty("lladdr").GetString() == peer.MacAddress);
    }

    private static bool HasFdb(OverlayHost host, string networkId, OverlaySandbox peer)
    {
        var name = host.OverlayNamespaces().SingleOrDefault(n => n.EndsWith(networkId[..10], StringComparison.Ordinal));
        return name is not null && host.BridgeJsonIn(name, "fdb", "show", "dev", VxlanName(host, name)).EnumerateArray()
            .Any(f => f.GetProperty("mac").GetString() == peer.MacAddress && f.TryGetProperty("dst", out var dst) && dst.GetString() == peer.Host.Vtep.ToString());
    }

    private static string VxlanName(OverlayHost host, string overlayNamespace) =>
        host.IpJsonIn(overlayNamespace, "-d", "link", "show", "type", "vxlan").EnumerateArray().Single().GetProperty("ifname").GetString()!;

    private static List<string> OverlayLinks(TestNamespace ns) =>
        [.. ns.IpJson("link", "show").EnumerateArray().Select(l => l.GetProperty("ifname").GetString()!).Order(StringComparer.Ordinal)];
}
