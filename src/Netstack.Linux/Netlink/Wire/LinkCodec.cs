using System.Buffers.Binary;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text;

namespace Netstack.Linux.Netlink.Wire;

/// <summary>Indices and namespace fds a link request refers to, resolved before encoding.</summary>
internal readonly record struct LinkReferences(int MasterIndex = 0, int ParentIndex = 0, int? NamespaceFd = null, int? PeerNamespaceFd = null);

/// <summary>
/// Encodes RTM_NEWLINK/DELLINK/GETLINK requests and decodes RTM_NEWLINK replies. Attribute order
/// follows iproute2's so the bytes can be compared with what <c>ip</c> sends.
/// </summary>
internal static class LinkCodec
{
    internal const ushort CreateFlags = Nl.NLM_F_REQUEST | Nl.NLM_F_ACK | Nl.NLM_F_CREATE | Nl.NLM_F_EXCL;

    public static void WriteInfo(ref NetlinkWriter w, int index, uint flags = 0, uint change = 0, byte family = Interop.AF_UNSPEC)
    {
        var info = w.Reserve(Ifla.InfoMessageLength);
        info[0] = family;
        BinaryPrimitives.WriteInt32LittleEndian(info[4..], index);
        BinaryPrimitives.WriteUInt32LittleEndian(info[8..], flags);
        BinaryPrimitives.WriteUInt32LittleEndian(info[12..], change);
    }

    /// <summary>RTM_NEWLINK creating <paramref name="spec"/>: <c>ip link add ...</c>.</summary>
    public static void NewLink(ref NetlinkWriter w, uint sequence, LinkSpec spec, in LinkReferences refs)
    {
        w.BeginMessage(Nl.RTM_NEWLINK, CreateFlags, sequence);
        WriteInfo(ref w, 0, spec.Up ? Ifla.IFF_UP : 0, spec.Up ? Ifla.IFF_UP : 0);
        // iproute2 emits the options, then IFLA_IFNAME, then IFLA_LINKINFO.
        WriteCommon(ref w, spec.Mtu, spec.MacAddress, spec.Group, refs.MasterIndex, refs.NamespaceFd);
        if (spec is MacvlanSpec or VlanSpec)
        {
            w.PutS32(Ifla.LINK, refs.ParentIndex);
        }
        w.PutString(Ifla.IFNAME, spec.Name);

        var linkInfo = w.BeginNested(Ifla.LINKINFO);
        PutKind(ref w, spec.Kind);
        switch (spec)
        {
            case VethSpec veth:
                var data = w.BeginNested(Ifla.INFO_DATA);
                var peer = w.BeginNested(Ifla.VETH_INFO_PEER);
                // No IFF_UP for the peer here: veth_open() fails with ENOTCONN while the pair is
                // half-registered, so the peer is brought up by a second request (see VethSpec.PeerUp).
                WriteInfo(ref w, 0);
                WriteCommon(ref w, veth.PeerMtu, veth.PeerMacAddress, null, 0, refs.PeerNamespaceFd);
                w.PutString(Ifla.IFNAME, veth.PeerName);
                w.EndNested(peer);
                w.EndNested(data);
                break;
            case VxlanSpec vxlan:
                WriteVxlan(ref w, vxlan, refs.ParentIndex);
                break;
            case MacvlanSpec macvlan:
                var macvlanData = w.BeginNested(Ifla.INFO_DATA);
                w.PutU32(Ifla.MACVLAN_MODE, (uint)macvlan.Mode);
                w.EndNested(macvlanData);
                break;
            case VlanSpec vlan:
                var vlanData = w.BeginNested(Ifla.INFO_DATA);
                w.PutU16(Ifla.VLAN_ID, vlan.VlanId);
                w.EndNested(vlanData);
                break;
        }
        w.EndNested(linkInfo);
        w.EndMessage();
    }

    /// <summary>RTM_NEWLINK without NLM_F_CREATE on an existing link: <c>ip link set ...</c>.</summary>
    public static void BeginSet(ref NetlinkWriter w, uint sequence, LinkRef link, uint flags = 0, uint change = 0)
    {
        w.BeginMessage(Nl.RTM_NEWLINK, Nl.NLM_F_REQUEST | Nl.NLM_F_ACK, sequence);
        WriteInfo(ref w, link.Index, flags, change);
        if (link.Index == 0)
        {
            w.PutString(Ifla.IFNAME, link.Name!);
        }
    }

    /// <summary>RTM_DELLINK: <c>ip link del NAME</c>.</summary>
    public static void DelLink(ref NetlinkWriter w, uint sequence, LinkRef link)
    {
        w.BeginMessage(Nl.RTM_DELLINK, Nl.NLM_F_REQUEST | Nl.NLM_F_ACK, sequence);
        WriteInfo(ref w, link.Index);
        if (link.Index == 0)
        {
            w.PutString(Ifla.IFNAME, link.Name!);
        }
        w.EndMessage();
    }

    /// <summary>RTM_DELLINK with ifindex 0 and IFLA_GROUP: <c>ip link del group N</c>, one request for all.</summary>
    public static void DelGroup(ref NetlinkWriter w, uint sequence, uint group)
    {
        w.BeginMessage(Nl.RTM_DELLINK, Nl.NLM_F_REQUEST | Nl.NLM_F_ACK, sequence);
        WriteInfo(ref w, 0);
        w.PutU32(Ifla.GROUP, group);
        w.EndMessage();
    }

    /// <summary>RTM_GETLINK for one link (by index or IFLA_IFNAME) or, with <paramref name="link"/> null, a dump.</summary>
    public static void GetLink(ref NetlinkWriter w, uint sequence, LinkRef? link, bool withStatistics = false)
    {
        w.BeginMessage(Nl.RTM_GETLINK, link is null ? (ushort)(Nl.NLM_F_REQUEST | Nl.NLM_F_DUMP) : (ushort)(Nl.NLM_F_REQUEST | Nl.NLM_F_ACK), sequence);
        WriteInfo(ref w, link?.Index ?? 0);
        // RTEXT_FILTER_VF, plus RTEXT_FILTER_SKIP_STATS unless counters are asked for (smaller replies).
        w.PutU32(29 /* IFLA_EXT_MASK */, withStatistics ? 1u : 1 | 8);
        if (link is { Index: 0 } byName)
        {
            w.PutString(Ifla.IFNAME, byName.Name!);
        }
        w.EndMessage();
    }

    /// <summary>RTM_SETLINK in family AF_BRIDGE with IFLA_PROTINFO: <c>bridge link set dev X hairpin on</c>.</summary>
    public static void SetBridgePortMode(ref NetlinkWriter w, uint sequence, int index, bool hairpin)
    {
        w.BeginMessage(Nl.RTM_SETLINK, Nl.NLM_F_REQUEST | Nl.NLM_F_ACK, sequence);
        WriteInfo(ref w, index, family: Interop.AF_BRIDGE);
        var protinfo = w.BeginNested(Ifla.PROTINFO, markNested: true);
        w.PutU8(Ifla.BRPORT_MODE, hairpin ? (byte)1 : (byte)0);
        w.EndNested(protinfo);
        w.EndMessage();
    }

    public static void WriteCommon(ref NetlinkWriter w, int? mtu, PhysicalAddress? mac, uint? group, int masterIndex, int? namespaceFd)
    {
        if (mtu is { } m)
        {
            w.PutU32(Ifla.MTU, (uint)m);
        }
        if (mac is not null)
        {
            w.PutBytes(Ifla.ADDRESS, mac.GetAddressBytes());
        }
        if (group is { } g)
        {
            w.PutU32(Ifla.GROUP, g);
        }
        if (masterIndex > 0)
        {
            w.PutU32(Ifla.MASTER, (uint)masterIndex);
        }
        if (namespaceFd is { } fd)
        {
            w.PutU32(Ifla.NET_NS_FD, (uint)fd);
        }
    }

    private static void PutKind(ref NetlinkWriter w, string kind)
    {
        // iproute2 sends the kind without a terminating NUL; the kernel accepts both.
        Span<byte> bytes = stackalloc byte[Encoding.ASCII.GetByteCount(kind)];
        Encoding.ASCII.GetBytes(kind, bytes);
        w.PutBytes(Ifla.INFO_KIND, bytes);
    }

    private static void WriteVxlan(ref NetlinkWriter w, VxlanSpec vxlan, int underlayIndex)
    {
        var data = w.BeginNested(Ifla.INFO_DATA);
        if (vxlan.Proxy)
        {
            w.PutU8(Ifla.VXLAN_PROXY, 1);
        }
        if (vxlan.L2Miss)
        {
            w.PutU8(Ifla.VXLAN_L2MISS, 1);
        }
        if (vxlan.L3Miss)
        {
            w.PutU8(Ifla.VXLAN_L3MISS, 1);
        }
        if (vxlan.Ttl is { } ttl)
        {
            w.PutU8(Ifla.VXLAN_TTL, ttl);
        }
        w.PutU32(Ifla.VXLAN_ID, vxlan.Vni);
        if (vxlan.Remote is { } remote)
        {
            w.PutAddress(remote.AddressFamily == AddressFamily.InterNetworkV6 ? Ifla.VXLAN_GROUP6 : Ifla.VXLAN_GROUP, remote);
        }
        if (vxlan.Local is { } local)
        {
            w.PutAddress(local.AddressFamily == AddressFamily.InterNetworkV6 ? Ifla.VXLAN_LOCAL6 : Ifla.VXLAN_LOCAL, local);
        }
        if (underlayIndex > 0)
        {
            w.PutU32(Ifla.VXLAN_LINK, (uint)underlayIndex);
        }
        w.PutU8(Ifla.VXLAN_LEARNING, vxlan.Learning ? (byte)1 : (byte)0);
        w.PutBe16(Ifla.VXLAN_PORT, vxlan.Port);
        w.EndNested(data);
    }

    /// <summary>Decodes an RTM_NEWLINK payload (ifinfomsg + attributes).</summary>
    public static Link Parse(ReadOnlySpan<byte> payload)
    {
        Malformed.RequireLength(payload, Ifla.InfoMessageLength, "link");
        var index = BinaryPrimitives.ReadInt32LittleEndian(payload[4..]);
        var flags = BinaryPrimitives.ReadUInt32LittleEndian(payload[8..]);
        string name = "";
        string? kind = null;
        int mtu = 0, master = 0, parent = 0;
        uint group = 0;
        byte operState = 0;
        PhysicalAddress? mac = null;
        VxlanInfo? vxlan = null;
        MacvlanMode? macvlanMode = null;
        LinkStatistics? statistics = null;

        var attributes = new AttributeReader(payload[Ifla.InfoMessageLength..]);
        while (attributes.TryRead(out var type, out var value))
        {
            switch (type)
            {
                case Ifla.IFNAME: name = AttributeValue.String(value); break;
                case Ifla.MTU: mtu = (int)AttributeValue.U32(value); break;
                case Ifla.ADDRESS: mac = AttributeValue.Mac(value); break;
                case Ifla.MASTER: master = (int)AttributeValue.U32(value); break;
                case Ifla.LINK: parent = AttributeValue.S32(value); break;
                case Ifla.GROUP: group = AttributeValue.U32(value); break;
                case Ifla.OPERSTATE: operState = AttributeValue.U8(value); break;
                case Ifla.STATS64: statistics = ParseStatistics(value); break;
                case Ifla.LINKINFO:
                    ParseLinkInfo(value, out kind, out vxlan, out macvlanMode);
                    break;
            }
        }
        return new Link
        {
            Index = index,
            Name = name,
            Kind = kind,
            Flags = flags,
            Mtu = mtu,
            MacAddress = mac,
            MasterIndex = master,
            ParentIndex = parent,
            Group = group,
            OperState = operState,
            Vxlan = vxlan,
            MacvlanMode = macvlanMode,
            Statistics = statistics,
        };
    }

    /// <summary>
    /// struct rtnl_link_stats64 (if_link.h): u64 rx_packets, tx_packets, rx_bytes, tx_bytes,
    /// rx_errors, tx_errors, rx_dropped, tx_dropped, then counters we do not report. A short one
    /// (an older or a hostile sender) is no statistics rather than an error.
    /// </summary>
    internal static LinkStatistics? ParseStatistics(ReadOnlySpan<byte> value)
    {
        if (value.Length < 8 * 8)
        {
            return null;
        }
        Span<ulong> at = stackalloc ulong[8];
        for (var i = 0; i < at.Length; i++)
        {
            at[i] = BinaryPrimitives.ReadUInt64LittleEndian(value[(i * 8)..]);
        }
        return new LinkStatistics(
            RxPackets: at[0], TxPackets: at[1], RxBytes: at[2], TxBytes: at[3],
            RxErrors: at[4], TxErrors: at[5], RxDropped: at[6], TxDropped: at[7]);
    }

    private static void ParseLinkInfo(ReadOnlySpan<byte> linkInfo, out string? kind, out VxlanInfo? vxlan, out MacvlanMode? macvlanMode)
    {
        kind = null;
        vxlan = null;
        macvlanMode = null;
        ReadOnlySpan<byte> data = default;
        var reader = new AttributeReader(linkInfo);
        while (reader.TryRead(out var type, out var value))
        {
            if (type == Ifla.INFO_KIND)
            {
                kind = AttributeValue.String(value);
            }
            else if (type == Ifla.INFO_DATA)
            {
                data = value;
            }
        }
        if (kind == "vxlan")
        {
            vxlan = ParseVxlan(data);
        }
        else if (kind == "macvlan")
        {
            var r = new AttributeReader(data);
            while (r.TryRead(out var type, out var value))
            {
                if (type == Ifla.MACVLAN_MODE)
                {
                    macvlanMode = (MacvlanMode)AttributeValue.U32(value);
                }
            }
        }
    }

    private static VxlanInfo ParseVxlan(ReadOnlySpan<byte> data)
    {
        uint vni = 0;
        ushort port = 0;
        System.Net.IPAddress? local = null, remote = null;
        int underlay = 0;
        bool learning = false, proxy = false, l2 = false, l3 = false;
        byte ttl = 0;
        var r = new AttributeReader(data);
        while (r.TryRead(out var type, out var value))
        {
            switch (type)
            {
                case Ifla.VXLAN_ID: vni = AttributeValue.U32(value); break;
                case Ifla.VXLAN_PORT: port = AttributeValue.Be16(value); break;
                case Ifla.VXLAN_LOCAL or Ifla.VXLAN_LOCAL6: local = AttributeValue.Address(value); break;
                case Ifla.VXLAN_GROUP or Ifla.VXLAN_GROUP6: remote = AttributeValue.Address(value); break;
                case Ifla.VXLAN_LINK: underlay = (int)AttributeValue.U32(value); break;
                case Ifla.VXLAN_LEARNING: learning = AttributeValue.U8(value) != 0; break;
                case Ifla.VXLAN_PROXY: proxy = AttributeValue.U8(value) != 0; break;
                case Ifla.VXLAN_L2MISS: l2 = AttributeValue.U8(value) != 0; break;
                case Ifla.VXLAN_L3MISS: l3 = AttributeValue.U8(value) != 0; break;
                case Ifla.VXLAN_TTL: ttl = AttributeValue.U8(value); break;
            }
        }
        return new VxlanInfo(vni, port, local, remote, underlay, learning, proxy, l2, l3, ttl);
    }
}
