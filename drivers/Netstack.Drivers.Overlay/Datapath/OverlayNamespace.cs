using System.Net;
using System.Net.NetworkInformation;
using Netstack.Core;
using Netstack.Linux;

namespace Netstack.Drivers.Overlay;

/// <summary>
/// The kernel side of one overlay network on this node: a named network namespace holding bridge
/// <c>br0</c> (with the subnets' gateway addresses) and the VXLAN device enslaved to it, plus the
/// endpoints' veth host ends. The VXLAN device is created in the host namespace and then moved in,
/// as Docker does: the kernel opens a VXLAN device's UDP socket in the namespace it was created in
/// (<c>vxlan-&gt;net</c>), so the tunnel traffic uses the host's underlay while the L2 segment stays
/// inside the overlay namespace. Not thread-safe; the owning network serialises calls.
/// </summary>
internal sealed class OverlayNamespace : IDisposable
{
    public const string BridgeName = "br0";

    // Up to 3 s for the kernel to finish destroying a namespace whose VXLAN device held the VNI.
    private const int VniReleaseAttempts = 30;
    private static readonly TimeSpan VniReleaseWait = TimeSpan.FromMilliseconds(100);

    private readonly string _directory;

    private OverlayNamespace(OverlayNetworkConfig config, string directory, NetworkNamespace ns, NetlinkHandle netlink)
    {
        Config = config;
        _directory = directory;
        Namespace = ns;
        Netlink = netlink;
    }

    public OverlayNetworkConfig Config { get; }

    public NetworkNamespace Namespace { get; }

    /// <summary>A handle working inside the overlay namespace.</summary>
    public NetlinkHandle Netlink { get; }

    /// <summary>ifindex of the VXLAN device inside the overlay namespace.</summary>
    public int VxlanIndex { get; private set; }

    /// <summary>
    /// Makes the namespace and its devices. A failure removes everything made so far; a UDP port
    /// held by something that is not a VXLAN device is a <see cref="ConflictException"/>.
    /// </summary>
    public static OverlayNamespace Create(HostNetwork host, OverlayNetworkConfig config, IPAddress advertise, ushort port, string directory)
    {
        // Leftovers of a crash between these steps carry this network's names: they are ours.
        RemoveLeftovers(host, config, directory);
        var ns = NetworkNamespace.Create(config.NamespaceName, directory);
        NetlinkHandle? netlink = null;
        try
        {
            netlink = NetlinkHandle.Open(ns);
            var made = new OverlayNamespace(config, directory, ns, netlink);
            made.CreateBridge();
            made.CreateVxlan(host, advertise, port);
            return made;
        }
        catch
        {
            netlink?.Dispose();
            ns.Dispose();
            DeleteNamespace(config.NamespaceName, directory);
            // The device is in the host namespace until the move; once moved it died with the namespace.
            DeleteLinkIfPresent(host.Netlink, config.VxlanName);
            throw;
        }
    }

    /// <summary>Opens the namespace a previous run made (reconcile), or null when it is not there.</summary>
    public static OverlayNamespace? OpenExisting(OverlayNetworkConfig config, string directory)
    {
        if (!NetworkNamespace.Exists(config.NamespaceName, directory))
        {
            return null;
        }
        var ns = NetworkNamespace.OpenNamed(config.NamespaceName, directory);
        try
        {
            return new OverlayNamespace(config, directory, ns, NetlinkHandle.Open(ns));
        }
        catch
        {
            ns.Dispose();
            throw;
        }
    }

    /// <summary>Removes this network's namespace and VXLAN device if a crash left them; true when something was removed.</summary>
    public static bool RemoveLeftovers(HostNetwork host, OverlayNetworkConfig config, string directory)
    {
        var removed = DeleteLinkIfPresent(host.Netlink, config.VxlanName);
        return DeleteNamespace(config.NamespaceName, directory) || removed;
    }

    /// <summary>
    /// Deletes an overlay namespace, its VXLAN devices first. The kernel tears a namespace down
    /// asynchronously (cleanup_net runs from a workqueue once the last reference goes), and until
    /// then a VXLAN device in it still holds its VNI and port in the namespace it was created in,
    /// so a network made again at once would get EEXIST; deleting the device is synchronous.
    /// Absent: false.
    /// </summary>
    public static bool DeleteNamespace(string name, string directory)
    {
        if (!NetworkNamespace.Exists(name, directory))
        {
            return false;
        }
        try
        {
            using var ns = NetworkNamespace.OpenNamed(name, directory);
            using var netlink = NetlinkHandle.Open(ns);
            foreach (var link in netlink.LinkList().Where(l => l.Kind == "vxlan"))
            {
                DeleteLinkIfPresent(netlink, link.Index);
            }
        }
        catch (NetlinkException)
        {
            // Not a namespace we can enter (a stale file): removing the mount is all there is to do.
        }
        NetworkNamespace.Delete(name, directory);
        return true;
    }

    /// <summary>
    /// Recreates what is missing in a namespace found at reconcile (br0, the VXLAN device, the
    /// gateway addresses, enslavement); returns what it recreated.
    /// </summary>
    public IReadOnlyList<string> Repair(HostNetwork host, IPAddress advertise, ushort port)
    {
        var recreated = new List<string>();
        var bridge = Netlink.LinkFind(BridgeName);
        if (bridge is null)
        {
            CreateBridge();
            recreated.Add($"bridge {BridgeName} in {Config.NamespaceName}");
        }
        else
        {
            var present = Netlink.AddrList(BridgeName).Select(a => a.Address.Address).ToHashSet();
            foreach (var gateway in Config.Gateways.Where(g => !present.Contains(g.Address)))
            {
                Netlink.AddrAdd(BridgeName, new InterfaceAddress(gateway.Address, gateway.PrefixLength));
                recreated.Add($"gateway {gateway} on {BridgeName} in {Config.NamespaceName}");
            }
            if (!bridge.IsUp)
            {
                Netlink.LinkSetUp(BridgeName);
            }
        }
        var vxlan = Netlink.LinkFind(Config.VxlanName);
        if (vxlan is null)
        {
            DeleteLinkIfPresent(host.Netlink, Config.VxlanName);
            CreateVxlan(host, advertise, port);
            recreated.Add($"vxlan {Config.VxlanName} (VNI {Config.Vni}) in {Config.NamespaceName}");
        }
        else
        {
            VxlanIndex = vxlan.Index;
            var bridgeIndex = Netlink.LinkIndex(BridgeName);
            if (vxlan.MasterIndex != bridgeIndex)
            {
                Netlink.LinkSetMaster(vxlan.Index, bridgeIndex);
                recreated.Add($"vxlan {Config.VxlanName} as port of {BridgeName}");
            }
            if (!vxlan.IsUp)
            {
                BringVxlanUp(port);
            }
        }
        return recreated;
    }

    /// <summary>
    /// A veth pair for an endpoint: <paramref name="hostEnd"/> a port of br0 here, the other end
    /// created directly in <paramref name="sandbox"/> as <paramref name="interfaceName"/>, left down.
    /// </summary>
    public void AddEndpoint(string hostEnd, string interfaceName, NetworkNamespace sandbox, PhysicalAddress mac)
    {
        // A host end of the same name is this endpoint's (the name comes from its id), left by a crash.
        DeleteLinkIfPresent(Netlink, hostEnd);
        Netlink.LinkAdd(new VethSpec(hostEnd, interfaceName)
        {
            Master = BridgeName,
            Up = true,
            Mtu = Config.Mtu,
            PeerMtu = Config.Mtu,
            PeerNamespace = sandbox,
            PeerMacAddress = mac,
            // The contract: the container end stays down; the controller adds addresses and brings it up.
            PeerUp = false,
        });
    }

    /// <summary>Deletes an endpoint's veth (its sandbox end goes with it); absent is fine.</summary>
    public void RemoveEndpoint(string hostEnd) => DeleteLinkIfPresent(Netlink, hostEnd);

    /// <summary>
    /// Programs a remote endpoint: a permanent neighbour entry IP -&gt; MAC on the VXLAN device, which
    /// its proxy answers ARP from, and an FDB entry MAC -&gt; VTEP so frames for the MAC are tunnelled
    /// to the node hosting it. Equivalent to <c>ip neigh replace IP lladdr MAC dev VX nud permanent</c>
    /// and <c>bridge fdb replace MAC dev VX dst VTEP self permanent</c>.
    /// </summary>
    public void ProgramPeer(PeerRecord peer)
    {
        Netlink.NeighReplace(new NeighbourSpec(VxlanIndex, peer.Address, peer.MacAddress) { State = NeighbourState.Permanent });
        Netlink.FdbReplace(VxlanIndex, peer.MacAddress, peer.Vtep);
    }

    /// <summary>
    /// Tells the local sandboxes on br0 where a newly programmed peer lives (a gratuitous ARP reply
    /// or an unsolicited neighbour advertisement, sent from br0). A sandbox that tried to reach the
    /// address before its entry crossed the cluster holds an unresolved neighbour entry and would ask
    /// again only after its retransmit time (1 s by default); the announcement resolves it at once
    /// and the packets it queued leave. Sandboxes that never asked keep no entry for it.
    /// </summary>
    public void AnnouncePeer(PeerRecord peer)
    {
        var frame = NeighbourAnnouncement.Build(peer.Address, peer.MacAddress);
        // A socket per announcement, closed at once: peers arrive seldom, and a packet socket held
        // open in the namespace would look like a capture left running to anyone who lists them.
        using var sender = LinkLayerSender.Open(Namespace, Netlink.LinkIndex(BridgeName));
        sender.Send(frame);
    }

    /// <summary>Removes what <see cref="ProgramPeer"/> made; entries already gone are fine.</summary>
    public void UnprogramPeer(PeerRecord peer)
    {
        var teardown = new Teardown($"remove peer {peer.Address} ({peer.MacAddress}) from {Config.VxlanName}");
        teardown.Step("neighbour", () => IgnoreMissing(() => Netlink.NeighDelete(VxlanIndex, peer.Address)));
        teardown.Step("fdb", () => IgnoreMissing(() => Netlink.FdbDelete(VxlanIndex, peer.MacAddress, peer.Vtep)));
        teardown.ThrowIfFailed();
    }

    /// <summary>Removes the namespace; the kernel destroys br0, the VXLAN device and the veths with it.</summary>
    public void Destroy()
    {
        // See DeleteNamespace: the VXLAN device goes synchronously, before the namespace. So do
        // the veths on br0: the kernel destroys a namespace only once nothing refers to it (a
        // socket's reference is dropped after an RCU grace period), and their sandbox ends must
        // be gone when the network's removal returns, not some time later.
        try
        {
            if (VxlanIndex > 0)
            {
                DeleteLinkIfPresent(Netlink, VxlanIndex);
            }
            foreach (var veth in Netlink.LinkList().Where(l => l.Kind == "veth"))
            {
                DeleteLinkIfPresent(Netlink, veth.Index);
            }
        }
        finally
        {
            Dispose();
        }
        DeleteNamespace(Config.NamespaceName, _directory);
    }

    public void Dispose()
    {
        Netlink.Dispose();
        Namespace.Dispose();
    }

    public static bool DeleteLinkIfPresent(NetlinkHandle netlink, LinkRef link)
    {
        try
        {
            netlink.LinkDelete(link);
            return true;
        }
        catch (NetlinkNotFoundException)
        {
            return false;
        }
    }

    private void CreateBridge()
    {
        Netlink.LinkAdd(new BridgeSpec(BridgeName) { Mtu = Config.Mtu, Up = true });
        foreach (var gateway in Config.Gateways)
        {
            Netlink.AddrAdd(BridgeName, new InterfaceAddress(gateway.Address, gateway.PrefixLength));
        }
    }

    private void CreateVxlan(HostNetwork host, IPAddress advertise, ushort port)
    {
        var spec = new VxlanSpec(Config.VxlanName, Config.Vni)
        {
            Port = port,
            Local = advertise,
            // The peer table is the source of truth: no learning from received frames, ARP
            // answered from the neighbour table, and a notification for anything unknown.
            Learning = false,
            Proxy = true,
            L2Miss = true,
            L3Miss = true,
            Mtu = Config.Mtu,
        };
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                host.Netlink.LinkAdd(spec);
                break;
            }
            catch (NetlinkException e) when (e.Errno == Errno.EEXIST && attempt < VniReleaseAttempts)
            {
                // The VNI may be held by a device in a namespace the kernel is still tearing down
                // (see DeleteNamespace): give the cleanup a moment.
                Thread.Sleep(VniReleaseWait);
            }
            catch (NetlinkException e) when (e.Errno == Errno.EEXIST)
            {
                throw new ConflictException($"VXLAN id {Config.Vni} with dstport {port} is used by another VXLAN device created in {host.Description}; the network's {DockerOptions.OverlayVxlanIdList} must be unique", e);
            }
        }
        host.Netlink.LinkSetNamespace(Config.VxlanName, Namespace);
        VxlanIndex = Netlink.LinkIndex(Config.VxlanName);
        Netlink.LinkSetMaster(VxlanIndex, BridgeName);
        BringVxlanUp(port);
    }

    private void BringVxlanUp(ushort port)
    {
        try
        {
            // vxlan_open binds the UDP socket (in the host namespace) now, not at creation.
            Netlink.LinkSetUp(VxlanIndex);
        }
        catch (NetlinkException e) when (e.Errno == Errno.EADDRINUSE)
        {
            throw new ConflictException($"VXLAN dstport {port} is in use by a UDP socket that is not a VXLAN device on this host; free the port or give the driver another dstport", e);
        }
    }

    private static void IgnoreMissing(Action action)
    {
        try
        {
            action();
        }
        catch (NetlinkNotFoundException)
        {
            // Already gone.
        }
    }
}
