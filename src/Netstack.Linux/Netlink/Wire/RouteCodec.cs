using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Netstack.Linux.Netlink.Wire;

/// <summary>Encodes RTM_NEWROUTE/DELROUTE/GETROUTE and decodes route replies.</summary>
internal static class RouteCodec
{
    /// <summary>
    /// <c>ip route add|replace|del</c>. <paramref name="flags"/> picks the verb
    /// (CREATE|EXCL add, CREATE|REPLACE replace, none for delete).
    /// </summary>
    public static void Write(ref NetlinkWriter w, uint sequence, ushort type, ushort flags, RouteSpec route, int outputIndex)
    {
        w.BeginMessage(type, (ushort)(Nl.NLM_F_REQUEST | Nl.NLM_F_ACK | flags), sequence);
        var family = route.Family;
        var header = w.Reserve(Rta.MessageLength);
        header[0] = family == AddressFamily.InterNetworkV6 ? (byte)Interop.AF_INET6 : (byte)Interop.AF_INET;
        header[1] = (byte)(route.Destination?.PrefixLength ?? 0);
        var table = route.Table ?? Rta.RT_TABLE_MAIN;
        header[4] = table < 256 ? (byte)table : Rta.RT_TABLE_UNSPEC; // bigger ids travel in RTA_TABLE
        var delete = type == Nl.RTM_DELROUTE;
        header[5] = delete ? (byte)0 : Rta.RTPROT_BOOT;
        header[6] = (byte)(route.Scope ?? (delete ? RouteScope.Nowhere : route.Gateway is null ? RouteScope.Link : RouteScope.Universe));
        header[7] = delete ? (byte)0 : Rta.RTN_UNICAST;
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], route.OnLink ? Rta.RTNH_F_ONLINK : 0);
        if (table >= 256)
        {
            w.PutU32(Rta.TABLE, table);
        }
        if (route.Destination is { } destination && destination.PrefixLength > 0)
        {
            w.PutAddress(Rta.DST, destination.BaseAddress);
        }
        if (route.Gateway is { } gateway)
        {
            w.PutAddress(Rta.GATEWAY, gateway);
        }
        if (outputIndex > 0)
        {
            w.PutU32(Rta.OIF, (uint)outputIndex);
        }
        if (route.PreferredSource is { } source)
        {
            w.PutAddress(Rta.PREFSRC, source);
        }
        if (route.Metric is { } metric)
        {
            w.PutU32(Rta.PRIORITY, metric);
        }
        w.EndMessage();
    }

    public static void Dump(ref NetlinkWriter w, uint sequence, byte family)
    {
        w.BeginMessage(Nl.RTM_GETROUTE, Nl.NLM_F_REQUEST | Nl.NLM_F_DUMP, sequence);
        w.Reserve(Rta.MessageLength)[0] = family;
        w.EndMessage();
    }

    public static Route Parse(ReadOnlySpan<byte> payload)
    {
        Malformed.RequireLength(payload, Rta.MessageLength, "route");
        var family = payload[0];
        var dstLength = payload[1];
        uint table = payload[4];
        var protocol = payload[5];
        var scope = payload[6];
        var routeType = payload[7];
        var flags = BinaryPrimitives.ReadUInt32LittleEndian(payload[8..]);
        IPAddress? destination = null, gateway = null, source = null;
        int oif = 0;
        uint metric = 0;
        var r = new AttributeReader(payload[Rta.MessageLength..]);
        while (r.TryRead(out var type, out var value))
        {
            switch (type)
            {
                case Rta.DST: destination = AttributeValue.Address(value); break;
                case Rta.GATEWAY: gateway = AttributeValue.Address(value); break;
                case Rta.OIF: oif = (int)AttributeValue.U32(value); break;
                case Rta.PREFSRC: source = AttributeValue.Address(value); break;
                case Rta.PRIORITY: metric = AttributeValue.U32(value); break;
                case Rta.TABLE: table = AttributeValue.U32(value); break;
            }
        }
        destination ??= family == Interop.AF_INET6 ? IPAddress.IPv6Any : IPAddress.Any;
        return new Route
        {
            Destination = Malformed.Build(() => new IPNetwork(destination, dstLength), "route"),
            Gateway = gateway,
            OutputIndex = oif,
            Table = table,
            Scope = (RouteScope)scope,
            Protocol = protocol,
            Type = routeType,
            PreferredSource = source,
            Metric = metric,
            Flags = flags,
        };
    }
}
