using System.Buffers.Binary;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Netstack.Linux.Netlink.Wire;

/// <summary>Encodes RTM_NEWNEIGH/DELNEIGH/GETNEIGH (IP neighbours and AF_BRIDGE FDB entries) and decodes replies.</summary>
internal static class NeighbourCodec
{
    private static void WriteHeader(ref NetlinkWriter w, byte family, int index, ushort state, byte flags)
    {
        var header = w.Reserve(Nda.MessageLength);
        header[0] = family;
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], index);
        BinaryPrimitives.WriteUInt16LittleEndian(header[8..], state);
        header[10] = flags;
    }

    /// <summary><c>ip neigh add|replace|del IP lladdr MAC dev DEV nud permanent</c> (or <c>proxy IP</c>).</summary>
    public static void WriteNeighbour(ref NetlinkWriter w, uint sequence, ushort type, ushort flags, int index, NeighbourSpec spec)
    {
        w.BeginMessage(type, (ushort)(Nl.NLM_F_REQUEST | Nl.NLM_F_ACK | flags), sequence);
        var family = spec.Address.AddressFamily == AddressFamily.InterNetworkV6 ? (byte)Interop.AF_INET6 : (byte)Interop.AF_INET;
        WriteHeader(ref w, family, index, type == Nl.RTM_DELNEIGH ? (ushort)0 : (ushort)spec.State, spec.Proxy ? Nda.NTF_PROXY : (byte)0);
        w.PutAddress(Nda.DST, spec.Address);
        if (spec.MacAddress is not null && type != Nl.RTM_DELNEIGH)
        {
            w.PutBytes(Nda.LLADDR, spec.MacAddress.GetAddressBytes());
        }
        w.EndMessage();
    }

    /// <summary>
    /// <c>bridge fdb add|append|replace|del MAC dev DEV dst VTEP self permanent</c>: family AF_BRIDGE,
    /// NTF_SELF so the VXLAN driver itself (not a bridge master) holds the entry.
    /// </summary>
    public static void WriteFdb(ref NetlinkWriter w, uint sequence, ushort type, ushort flags, int index, PhysicalAddress mac, IPAddress? destination)
    {
        w.BeginMessage(type, (ushort)(Nl.NLM_F_REQUEST | Nl.NLM_F_ACK | flags), sequence);
        WriteHeader(ref w, Interop.AF_BRIDGE, index, Nda.NUD_NOARP | Nda.NUD_PERMANENT, Nda.NTF_SELF);
        w.PutBytes(Nda.LLADDR, mac.GetAddressBytes());
        if (destination is not null)
        {
            w.PutAddress(Nda.DST, destination);
        }
        w.EndMessage();
    }

    public static void Dump(ref NetlinkWriter w, uint sequence, byte family, int index, byte flags = 0)
    {
        w.BeginMessage(Nl.RTM_GETNEIGH, Nl.NLM_F_REQUEST | Nl.NLM_F_DUMP, sequence);
        WriteHeader(ref w, family, 0, 0, flags);
        if (index > 0)
        {
            // The kernel filters neighbour dumps by NDA_IFINDEX (and AF_BRIDGE dumps by ndm_ifindex).
            w.PutU32(Nda.IFINDEX, (uint)index);
        }
        w.EndMessage();
    }

    public static Neighbour ParseNeighbour(ReadOnlySpan<byte> payload)
    {
        Read(payload, out var index, out var state, out var flags, out var address, out var mac);
        return new Neighbour(index, address, mac, (NeighbourState)state, flags);
    }

    public static FdbEntry ParseFdb(ReadOnlySpan<byte> payload)
    {
        Read(payload, out var index, out var state, out var flags, out var address, out var mac);
        return new FdbEntry(index, mac ?? PhysicalAddress.None, address, (NeighbourState)state, flags);
    }

    internal static byte Family(ReadOnlySpan<byte> payload)
    {
        Malformed.RequireLength(payload, Nda.MessageLength, "neighbour");
        return payload[0];
    }

    private static void Read(ReadOnlySpan<byte> payload, out int index, out ushort state, out byte flags, out IPAddress? address, out PhysicalAddress? mac)
    {
        Malformed.RequireLength(payload, Nda.MessageLength, "neighbour");
        index = BinaryPrimitives.ReadInt32LittleEndian(payload[4..]);
        state = BinaryPrimitives.ReadUInt16LittleEndian(payload[8..]);
        flags = payload[10];
        address = null;
        mac = null;
        var r = new AttributeReader(payload[Nda.MessageLength..]);
        while (r.TryRead(out var type, out var value))
        {
            switch (type)
            {
                case Nda.DST: address = AttributeValue.Address(value); break;
                case Nda.LLADDR: mac = AttributeValue.Mac(value); break;
            }
        }
    }
}
