using System.Buffers.Binary;

namespace Netstack.Dns.Wire;

/// <summary>
/// The fixed 12-byte header (RFC 1035 4.1.1): ID, flags, and the four section counts, all big-endian.
/// Flag layout: QR(15) OPCODE(14-11) AA(10) TC(9) RD(8) RA(7) Z(6) AD(5) CD(4) RCODE(3-0).
/// </summary>
public readonly record struct DnsHeader(
    ushort Id,
    ushort Flags,
    ushort QuestionCount,
    ushort AnswerCount,
    ushort AuthorityCount,
    ushort AdditionalCount)
{
    public const int Size = 12;

    private const ushort ResponseBit = 0x8000;
    private const ushort AuthoritativeBit = 0x0400;
    private const ushort TruncatedBit = 0x0200;
    private const ushort RecursionDesiredBit = 0x0100;
    private const ushort RecursionAvailableBit = 0x0080;
    private const ushort AuthenticDataBit = 0x0020;
    private const ushort CheckingDisabledBit = 0x0010;

    public bool IsResponse => (Flags & ResponseBit) != 0;

    public DnsOpcode Opcode => (DnsOpcode)((Flags >> 11) & 0xF);

    public bool IsAuthoritative => (Flags & AuthoritativeBit) != 0;

    public bool IsTruncated => (Flags & TruncatedBit) != 0;

    public bool RecursionDesired => (Flags & RecursionDesiredBit) != 0;

    public bool RecursionAvailable => (Flags & RecursionAvailableBit) != 0;

    public bool AuthenticData => (Flags & AuthenticDataBit) != 0;

    public bool CheckingDisabled => (Flags & CheckingDisabledBit) != 0;

    public DnsResponseCode ResponseCode => (DnsResponseCode)(Flags & 0xF);

    public static ushort MakeFlags(
        bool isResponse,
        DnsOpcode opcode,
        bool authoritative,
        bool truncated,
        bool recursionDesired,
        bool recursionAvailable,
        bool authenticData,
        bool checkingDisabled,
        DnsResponseCode responseCode)
    {
        var flags = (ushort)((((int)opcode & 0xF) << 11) | ((int)responseCode & 0xF));
        if (isResponse) flags |= ResponseBit;
        if (authoritative) flags |= AuthoritativeBit;
        if (truncated) flags |= TruncatedBit;
        if (recursionDesired) flags |= RecursionDesiredBit;
        if (recursionAvailable) flags |= RecursionAvailableBit;
        if (authenticData) flags |= AuthenticDataBit;
        if (checkingDisabled) flags |= CheckingDisabledBit;
        return flags;
    }

    /// <summary>Reads the header; throws <see cref="DnsFormatException"/> when fewer than 12 bytes are given.</summary>
    public static DnsHeader Read(ReadOnlySpan<byte> message)
    {
        if (message.Length < Size)
        {
            throw new DnsFormatException(DnsFormatError.ShortHeader, 0, $"DNS message is {message.Length} bytes, shorter than the 12-byte header");
        }

        return new DnsHeader(
            BinaryPrimitives.ReadUInt16BigEndian(message),
            BinaryPrimitives.ReadUInt16BigEndian(message[2..]),
            BinaryPrimitives.ReadUInt16BigEndian(message[4..]),
            BinaryPrimitives.ReadUInt16BigEndian(message[6..]),
            BinaryPrimitives.ReadUInt16BigEndian(message[8..]),
            BinaryPrimitives.ReadUInt16BigEndian(message[10..]));
    }

    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, Id);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], Flags);
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], QuestionCount);
        BinaryPrimitives.WriteUInt16BigEndian(destination[6..], AnswerCount);
        BinaryPrimitives.WriteUInt16BigEndian(destination[8..], AuthorityCount);
        BinaryPrimitives.WriteUInt16BigEndian(destination[10..], AdditionalCount);
    }
}
