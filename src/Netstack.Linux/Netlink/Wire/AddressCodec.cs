using System.Buffers.Binary;
using System.Net.Sockets;

namespace Netstack.Linux.Netlink.Wire;

/// <summary>Encodes RTM_NEWADDR/DELADDR/GETADDR and decodes address replies.</summary>
internal static class AddressCodec
{
    /// <summary><c>ip addr add|del ADDR/LEN dev DEV</c>: IFA_LOCAL and IFA_ADDRESS both carry the address, as ip sends them.</summary>
    public static void Write(ref NetlinkWriter w, uint sequence, bool add, int index, InterfaceAddress address, bool noDad = false)
    {
        w.BeginMessage(add ? Nl.RTM_NEWADDR : Nl.RTM_DELADDR,
            add ? LinkCodec.CreateFlags : (ushort)(Nl.NLM_F_REQUEST | Nl.NLM_F_ACK), sequence);
        var header = w.Reserve(Ifa.MessageLength);
        header[0] = Family(address);
        header[1] = (byte)address.PrefixLength;
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], index);
        w.PutAddress(Ifa.LOCAL, address.Address);
        w.PutAddress(Ifa.ADDRESS, address.Address);
        if (noDad)
        {
            // IFA_FLAGS (u32) rather than ifa_flags (u8): the kernel reads both, ip sends this one.
            w.PutU32(Ifa.FLAGS, Ifa.F_NODAD);
        }
        w.EndMessage();
    }

    public static void Dump(ref NetlinkWriter w, uint sequence, byte family)
    {
        w.BeginMessage(Nl.RTM_GETADDR, Nl.NLM_F_REQUEST | Nl.NLM_F_DUMP, sequence);
        w.Reserve(Ifa.MessageLength)[0] = family;
        w.EndMessage();
    }

    public static AddressInfo Parse(ReadOnlySpan<byte> payload)
    {
        Malformed.RequireLength(payload, Ifa.MessageLength, "address");
        var prefix = payload[1];
        uint flags = payload[2];
        var scope = payload[3];
        var index = BinaryPrimitives.ReadInt32LittleEndian(payload[4..]);
        System.Net.IPAddress? local = null, address = null;
        string? label = null;
        var r = new AttributeReader(payload[Ifa.MessageLength..]);
        while (r.TryRead(out var type, out var value))
        {
            switch (type)
            {
                case Ifa.LOCAL: local = AttributeValue.Address(value); break;
                case Ifa.ADDRESS: address = AttributeValue.Address(value); break;
                case Ifa.LABEL: label = AttributeValue.String(value); break;
                case Ifa.FLAGS: flags = AttributeValue.U32(value); break;
            }
        }
        // IFA_LOCAL is the interface's own address; IFA_ADDRESS is the peer on point-to-point links.
        var own = local ?? address ?? System.Net.IPAddress.None;
        return new AddressInfo(index, Malformed.Build(() => new InterfaceAddress(own, prefix), "address"), scope, flags, label);
    }

    internal static byte Family(InterfaceAddress address) =>
        address.Address.AddressFamily == AddressFamily.InterNetworkV6 ? (byte)Interop.AF_INET6 : (byte)Interop.AF_INET;
}
