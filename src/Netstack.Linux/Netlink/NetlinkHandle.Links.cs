using System.Net.NetworkInformation;
using Netstack.Linux.Netlink.Wire;

namespace Netstack.Linux;

public sealed partial class NetlinkHandle
{
    /// <summary>
    /// Creates a link of any kind in one request (peer, master, up, group and target namespace
    /// included). Equivalent to <c>ip link add NAME [mtu M] [address MAC] [group G] [master BR] [up] type KIND ...</c>.
    /// </summary>
    public void LinkAdd(LinkSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var operation = $"link add {spec.Name}";
        var refs = ResolveReferences(spec, operation);
        var hint = spec is VlanSpec ? "802.1Q VLAN support (8021q) is missing from this kernel" : null;
        Execute(operation, (ref NetlinkWriter w, uint seq) => LinkCodec.NewLink(ref w, seq, spec, refs), hint: hint);
        if (spec is VethSpec { PeerUp: true } veth)
        {
            try
            {
                (veth.PeerNamespace?.SharedNetlink ?? this).LinkSetUp(veth.PeerName);
            }
            catch
            {
                // Leave nothing half-made: deleting one end removes the pair.
                if (LinkFind(spec.Name) is { } made)
                {
                    LinkDelete(made.Index);
                }
                throw;
            }
        }
    }

    /// <summary>Deletes a link (a veth's peer goes with it). Equivalent to <c>ip link del NAME</c>.</summary>
    public void LinkDelete(LinkRef link) =>
        Execute($"link del {link}", (ref NetlinkWriter w, uint seq) => LinkCodec.DelLink(ref w, seq, link));

    /// <summary>
    /// Deletes every link in interface group <paramref name="group"/> with one request; the kernel
    /// unregisters them in one batch (one rtnl round and one final RCU wait instead of one per
    /// link). A group with no links is not an error. Equivalent to <c>ip link del group N</c>.
    /// For links enslaved to a bridge prefer <see cref="LinkDeleteGroup(uint, LinkRef)"/>.
    /// </summary>
    public void LinkDeleteGroup(uint group)
    {
        if (group == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(group), group, "group 0 is the default group of every link; refusing to delete it");
        }
        try
        {
            Execute($"link del group {group}", (ref NetlinkWriter w, uint seq) => LinkCodec.DelGroup(ref w, seq, group));
        }
        catch (NetlinkNotFoundException)
        {
            // rtnl_group_dellink answers ENODEV when no link is in the group: nothing to delete.
        }
    }

    /// <summary>
    /// Deletes every link in <paramref name="group"/> like <see cref="LinkDeleteGroup(uint)"/>, with
    /// <paramref name="bridge"/> taken down for the duration and brought back up afterwards if it
    /// was up and is not itself in the group.
    /// </summary>
    /// <remarks>
    /// While a bridge is up, every port it loses makes the kernel re-run port state selection over
    /// all remaining ports (<c>br_stp_disable_port</c> → <c>br_port_state_selection</c>), re-arming
    /// each one's multicast-snooping timers: quadratic in the number of ports, about a third of
    /// the CPU time of deleting 1,000 ports (measured with <c>perf</c>, kernel 6.18). With the
    /// bridge down its ports are already disabled and that work is skipped. Use it when the ports
    /// go together with their network, not to remove a few ports from a bridge that carries traffic.
    /// </remarks>
    public void LinkDeleteGroup(uint group, LinkRef bridge)
    {
        if (group == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(group), group, "group 0 is the default group of every link; refusing to delete it");
        }
        var master = LinkFind(bridge);
        if (master is null || !master.IsUp)
        {
            LinkDeleteGroup(group);
            return;
        }
        LinkSetDown(master.Index);
        try
        {
            LinkDeleteGroup(group);
        }
        finally
        {
            if (master.Group != group && LinkFind(master.Index) is not null)
            {
                LinkSetUp(master.Index);
            }
        }
    }

    /// <summary>Reads one link. Equivalent to <c>ip -d link show NAME</c>. Throws <see cref="NetlinkNotFoundException"/> if absent.</summary>
    public Link LinkGet(LinkRef link)
    {
        Link? found = null;
        Execute($"link show {link}", (ref NetlinkWriter w, uint seq) => LinkCodec.GetLink(ref w, seq, link),
            (in NetlinkMessage m) =>
            {
                if (m.Type == Nl.RTM_NEWLINK)
                {
                    found = LinkCodec.Parse(m.Payload);
                }
            });
        return found ?? throw new NetlinkNotFoundException($"link show {link}", Errno.ENODEV);
    }

    /// <summary>Reads one link, or null if there is none of that name.</summary>
    public Link? LinkFind(LinkRef link)
    {
        try
        {
            return LinkGet(link);
        }
        catch (NetlinkNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Lists every link. Equivalent to <c>ip -d link show</c>.</summary>
    public IReadOnlyList<Link> LinkList()
    {
        var links = new List<Link>();
        Dump("link show", (ref NetlinkWriter w, uint seq) => LinkCodec.GetLink(ref w, seq, null),
            (in NetlinkMessage m) =>
            {
                if (m.Type == Nl.RTM_NEWLINK)
                {
                    links.Add(LinkCodec.Parse(m.Payload));
                }
            },
            links.Clear);
        return links;
    }

    /// <summary>Lists every link with its traffic counters. Equivalent to <c>ip -s link show</c>.</summary>
    public IReadOnlyList<Link> LinkListWithStatistics()
    {
        var links = new List<Link>();
        Dump("link show -s", (ref NetlinkWriter w, uint seq) => LinkCodec.GetLink(ref w, seq, null, withStatistics: true),
            (in NetlinkMessage m) =>
            {
                if (m.Type == Nl.RTM_NEWLINK)
                {
                    links.Add(LinkCodec.Parse(m.Payload));
                }
            },
            links.Clear);
        return links;
    }

    /// <summary>The ifindex of a link. Equivalent to reading <c>ip link show NAME</c>.</summary>
    public int LinkIndex(LinkRef link) => link.Index > 0 ? link.Index : LinkGet(link).Index;

    /// <summary>Equivalent to <c>ip link set NAME up</c>.</summary>
    public void LinkSetUp(LinkRef link) => SetLink($"link set {link} up", link, Ifla.IFF_UP, Ifla.IFF_UP);

    /// <summary>Equivalent to <c>ip link set NAME down</c>.</summary>
    public void LinkSetDown(LinkRef link) => SetLink($"link set {link} down", link, 0, Ifla.IFF_UP);

    /// <summary>Equivalent to <c>ip link set NAME mtu M</c>.</summary>
    public void LinkSetMtu(LinkRef link, int mtu)
    {
        // 68 is IPv4's minimum MTU (RFC 791); 65535 the largest any Linux device takes.
        if (mtu is < 68 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(mtu), mtu, $"invalid mtu {mtu} for {link}: must be 68..65535");
        }
        SetLink($"link set {link} mtu {mtu}", link, 0, 0, (ref NetlinkWriter w) => w.PutU32(Ifla.MTU, (uint)mtu));
    }

    /// <summary>Equivalent to <c>ip link set NAME address MAC</c>.</summary>
    public void LinkSetMacAddress(LinkRef link, PhysicalAddress mac)
    {
        ArgumentNullException.ThrowIfNull(mac);
        var bytes = mac.GetAddressBytes();
        if (bytes.Length != 6)
        {
            throw new ArgumentException($"invalid MAC address \"{mac}\" for {link}: must be 6 bytes", nameof(mac));
        }
        SetLink($"link set {link} address {mac}", link, 0, 0, (ref NetlinkWriter w) => w.PutBytes(Ifla.ADDRESS, bytes));
    }

    /// <summary>Renames a link (it must be down). Equivalent to <c>ip link set NAME name NEW</c>.</summary>
    public void LinkSetName(LinkRef link, string newName)
    {
        InterfaceName.Validate(newName, "new name");
        var operation = $"link set {link} name {newName}";
        var index = ResolveIndex(link, operation, "link");
        SetLink(operation, index, 0, 0, (ref NetlinkWriter w) => w.PutString(Ifla.IFNAME, newName));
    }

    /// <summary>Enslaves a link to a bridge. Equivalent to <c>ip link set NAME master BRIDGE</c>.</summary>
    public void LinkSetMaster(LinkRef link, LinkRef master)
    {
        var operation = $"link set {link} master {master}";
        var masterIndex = ResolveIndex(master, operation, "master");
        SetLink(operation, link, 0, 0, (ref NetlinkWriter w) => w.PutU32(Ifla.MASTER, (uint)masterIndex));
    }

    /// <summary>Releases a link from its master. Equivalent to <c>ip link set NAME nomaster</c>.</summary>
    public void LinkSetNoMaster(LinkRef link) =>
        SetLink($"link set {link} nomaster", link, 0, 0, (ref NetlinkWriter w) => w.PutU32(Ifla.MASTER, 0));

    /// <summary>Moves a link into another namespace. Equivalent to <c>ip link set NAME netns NS</c>.</summary>
    public void LinkSetNamespace(LinkRef link, NetworkNamespace target)
    {
        ArgumentNullException.ThrowIfNull(target);
        target.UseDescriptor(fd => SetLink($"link set {link} netns {target.Path}", link, 0, 0,
            (ref NetlinkWriter w) => w.PutU32(Ifla.NET_NS_FD, (uint)fd)));
    }

    /// <summary>
    /// Moves a link into another namespace and gives it a new name there, in one request
    /// (IFLA_NET_NS_FD with IFLA_IFNAME); the link arrives down. The new name never has to be free
    /// here. Kernel semantics (6.x): when the old name is taken in the target, the link arrives under
    /// the new name directly; otherwise it is moved and then renamed, and when the new name is taken
    /// there the answer is EEXIST <em>after</em> the move: the link is then in the target under its
    /// old name, and the caller must move it back. Check the new name is free first.
    /// Equivalent to <c>ip link set NAME netns NS name NEW</c>.
    /// </summary>
    public void LinkSetNamespace(LinkRef link, NetworkNamespace target, string newName)
    {
        ArgumentNullException.ThrowIfNull(target);
        InterfaceName.Validate(newName, "new name");
        var operation = $"link set {link} netns {target.Path} name {newName}";
        var index = ResolveIndex(link, operation, "link");
        target.UseDescriptor(fd => SetLink(operation, index, 0, 0, (ref NetlinkWriter w) =>
        {
            w.PutU32(Ifla.NET_NS_FD, (uint)fd);
            w.PutString(Ifla.IFNAME, newName);
        }));
    }

    /// <summary>Puts a link in interface group <paramref name="group"/>. Equivalent to <c>ip link set NAME group N</c>.</summary>
    public void LinkSetGroup(LinkRef link, uint group) =>
        SetLink($"link set {link} group {group}", link, 0, 0, (ref NetlinkWriter w) => w.PutU32(Ifla.GROUP, group));

    /// <summary>
    /// Turns hairpin mode of a bridge port on or off (frames may leave by the port they came in on,
    /// needed for published-port hairpin NAT). Equivalent to <c>bridge link set dev NAME hairpin on</c>.
    /// </summary>
    public void LinkSetHairpin(LinkRef link, bool on)
    {
        var operation = $"bridge link set dev {link} hairpin {(on ? "on" : "off")}";
        var index = ResolveIndex(link, operation, "link");
        Execute(operation, (ref NetlinkWriter w, uint seq) => LinkCodec.SetBridgePortMode(ref w, seq, index, on));
    }

    internal delegate void AttributeWriter(ref NetlinkWriter writer);

    private void SetLink(string operation, LinkRef link, uint flags, uint change, AttributeWriter? attributes = null) =>
        Execute(operation, (ref NetlinkWriter w, uint seq) =>
        {
            LinkCodec.BeginSet(ref w, seq, link, flags, change);
            attributes?.Invoke(ref w);
            w.EndMessage();
        });

    /// <summary>Resolves the indices a new link refers to; an unknown one is a not-found error naming the field.</summary>
    internal LinkReferences ResolveReferences(LinkSpec spec, string operation)
    {
        var master = spec.Master is { } m ? ResolveIndex(m, operation, "master") : 0;
        var parent = spec switch
        {
            MacvlanSpec macvlan => ResolveIndex(macvlan.Parent, operation, "parent"),
            VlanSpec vlan => ResolveIndex(vlan.Parent, operation, "parent"),
            VxlanSpec { Underlay: { } underlay } => ResolveIndex(underlay, operation, "underlay device"),
            _ => 0,
        };
        return new LinkReferences(master, parent, spec.Namespace?.DescriptorValue,
            (spec as VethSpec)?.PeerNamespace?.DescriptorValue);
    }

    internal int ResolveIndex(LinkRef link, string operation, string field)
    {
        if (link.Index > 0)
        {
            return link.Index;
        }
        var found = LinkFind(link);
        return found?.Index ?? throw new NetlinkNotFoundException(operation, Errno.ENODEV, null, $"{field} \"{link.Name}\" does not exist");
    }
}
