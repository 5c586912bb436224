using System.Net;
using System.Net.NetworkInformation;
using Netstack.Linux;
using Netstack.TestKit;
using Xunit;

namespace Netstack.Privileged.Tests.Linux;

public sealed class EventTests
{
    // Generous bound for an event to arrive; a missing event fails the test instead of hanging it.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private static async Task<T> WaitFor<T>(NetlinkEventStream events, Func<T, bool> match)
        where T : NetlinkEvent
    {
        using var cts = new CancellationTokenSource(Patience);
        await foreach (var e in events.ReadAllAsync(cts.Token))
        {
            if (e is T typed && match(typed))
            {
                return typed;
            }
        }
        throw new InvalidOperationException("event stream ended");
    }

    [PrivilegedFact]
    public async Task Events_LinkAndAddressChanges_ArriveTyped()
    {
        using var ns = TestNamespace.Create();
        using var events = NetlinkEventStream.Open(NetlinkEventGroups.All, ns.Namespace);
        ns.Netlink.LinkAdd(new BridgeSpec("br-ev"));
        var added = await WaitFor<LinkEvent>(events, e => e.Link.Name == "br-ev" && !e.Deleted);
        Assert.Equal("bridge", added.Link.Kind);

        ns.Netlink.AddrAdd("br-ev", InterfaceAddress.Parse("10.66.0.1/24"));
        var address = await WaitFor<AddressEvent>(events, e => !e.Deleted);
        Assert.Equal(InterfaceAddress.Parse("10.66.0.1/24"), address.Address.Address);
        Assert.Equal(added.Link.Index, address.Address.LinkIndex);

        ns.Netlink.NeighReplace(new NeighbourSpec("br-ev", IPAddress.Parse("10.66.0.9"), PhysicalAddress.Parse("02-00-00-00-00-09")));
        var neighbour = await WaitFor<NeighbourEvent>(events, e => e.Kind == NeighbourEventKind.Added && !e.IsBridge);
        Assert.Equal(IPAddress.Parse("10.66.0.9"), neighbour.Entry.Address);

        ns.Netlink.LinkDelete("br-ev");
        await WaitFor<LinkEvent>(events, e => e.Link.Name == "br-ev" && e.Deleted);
    }

    [PrivilegedFact]
    public async Task Events_VxlanL3MissAndL2Miss_AreReported()
    {
        // The overlay layout: a sandbox behind a bridge that also holds the VXLAN device. The
        // sandbox's ARP requests cross the bridge and reach the proxying VXLAN device, which asks
        // for the entries it lacks. Nothing leaves: the device has no remote and no FDB entries.
        using var overlay = TestNamespace.Create();
        using var sandbox = TestNamespace.Create();
        var nl = overlay.Netlink;
        nl.LinkAdd(new BridgeSpec("br0") { Up = true });
        nl.LinkAdd(new VxlanSpec("vx0", 4500) { Learning = false, Proxy = true, L2Miss = true, L3Miss = true, Master = "br0", Up = true });
        nl.LinkAdd(new VethSpec("veth0", "eth0") { PeerNamespace = sandbox.Namespace, Master = "br0", Up = true, PeerUp = true });
        sandbox.Netlink.AddrAdd("eth0", InterfaceAddress.Parse("10.77.0.5/24"));
        using var events = NetlinkEventStream.Open(NetlinkEventGroups.Neighbour, overlay.Namespace);

        SendUdp(sandbox, "10.77.0.2");
        // IPv6 link-local chatter raises misses of its own; wait for ours.
        var l3 = await WaitFor<NeighbourEvent>(events, e => e.IsL3Miss && Equals(e.Entry.Address, IPAddress.Parse("10.77.0.2")));
        Assert.Equal(nl.LinkIndex("vx0"), l3.Entry.LinkIndex);

        // With a neighbour entry for .3 the device answers the ARP; the frame to that MAC then
        // finds no FDB entry: l2miss names the MAC.
        var mac = PhysicalAddress.Parse("02-42-0A-4D-00-03");
        nl.NeighReplace(new NeighbourSpec("vx0", IPAddress.Parse("10.77.0.3"), mac));
        SendUdp(sandbox, "10.77.0.3");
        var l2 = await WaitFor<NeighbourEvent>(events, e => e.IsL2Miss && mac.Equals(e.Entry.MacAddress));
        Assert.Equal(nl.LinkIndex("vx0"), l2.Entry.LinkIndex);
    }

    /// <summary>One UDP datagram from inside the namespace, to make the kernel resolve the address.</summary>
    private static void SendUdp(TestNamespace ns, string address) =>
        ns.Namespace.Run(() =>
        {
            using var udp = new System.Net.Sockets.UdpClient(System.Net.Sockets.AddressFamily.InterNetwork);
            return udp.Send([1], 1, new IPEndPoint(IPAddress.Parse(address), 9));
        });

    [PrivilegedFact]
    public void Events_Dispose_CompletesTheChannel()
    {
        using var ns = TestNamespace.Create();
        var events = NetlinkEventStream.Open(NetlinkEventGroups.Link, ns.Namespace);
        events.Dispose();
        Assert.True(events.Reader.Completion.IsCompleted);
    }
}
