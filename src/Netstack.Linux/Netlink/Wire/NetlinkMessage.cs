using System.Buffers.Binary;

namespace Netstack.Linux.Netlink.Wire;

/// <summary>One received netlink message: its header fields and the bytes after the header.</summary>
internal readonly ref struct NetlinkMessage
{
    public NetlinkMessage(ushort type, ushort flags, uint sequence, uint portId, ReadOnlySpan<byte> payload)
    {
        Type = type;
        Flags = flags;
        Sequence = sequence;
        PortId = portId;
        Payload = payload;
    }

    public ushort Type { get; }

    public ushort Flags { get; }

    public uint Sequence { get; }

    public uint PortId { get; }

    public ReadOnlySpan<byte> Payload { get; }

    /// <summary>For NLMSG_ERROR: the (negative) errno, 0 for a plain ACK.</summary>
    public int ErrorCode
    {
        get
        {
            Malformed.RequireLength(Payload, 4, "error");
            return BinaryPrimitives.ReadInt32LittleEndian(Payload);
        }
    }

    /// <summary>For NLMSG_ERROR: the extended-ack text (NLMSGERR_ATTR_MSG) if the kernel sent one.</summary>
    public string? ExtendedAckMessage()
    {
        if ((Flags & Nl.NLM_F_ACK_TLVS) == 0 || Payload.Length < 4 + Nl.HeaderLength)
        {
            return null;
        }
        // struct nlmsgerr = int error + the request's nlmsghdr; without NLM_F_CAPPED the whole request follows.
        var echoedLength = (Flags & Nl.NLM_F_CAPPED) != 0
            ? Nl.HeaderLength
            : (int)BinaryPrimitives.ReadUInt32LittleEndian(Payload[4..]);
        if (echoedLength < Nl.HeaderLength || echoedLength > Payload.Length)
        {
            return null;
        }
        var offset = 4 + Nl.Align(echoedLength);
        if (offset > Payload.Length)
        {
            return null;
        }
        var attributes = new AttributeReader(Payload[offset..]);
        while (attributes.TryRead(out var type, out var value))
        {
            if (type == Nl.NLMSGERR_ATTR_MSG)
            {
                return AttributeValue.String(value);
            }
        }
        return null;
    }
}
