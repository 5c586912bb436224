using System.Buffers.Binary;

namespace Netstack.Dns.Wire;

/// <summary>
/// A whole DNS message (RFC 1035 4.1): header flags, questions and the three record sections.
/// <see cref="Parse"/> is strict: anything malformed raises <see cref="DnsFormatException"/>.
/// </summary>
public sealed class DnsMessage
{
    // Smallest encodings: a question is a root name (1) + type + class (5); a record adds TTL and RDLENGTH (11).
    internal const int MinQuestionLength = 5;
    internal const int MinRecordLength = 11;

    public ushort Id { get; set; }

    public bool IsResponse { get; set; }

    public DnsOpcode Opcode { get; set; }

    public bool IsAuthoritative { get; set; }

    public bool IsTruncated { get; set; }

    public bool RecursionDesired { get; set; }

    public bool RecursionAvailable { get; set; }

    public bool AuthenticData { get; set; }

    public bool CheckingDisabled { get; set; }

    public DnsResponseCode ResponseCode { get; set; }

    public List<DnsQuestion> Questions { get; } = [];

    public List<DnsResourceRecord> Answers { get; } = [];

    public List<DnsResourceRecord> Authorities { get; } = [];

    public List<DnsResourceRecord> Additionals { get; } = [];

    /// <summary>The EDNS0 OPT pseudo-record of the additional section, if any (RFC 6891 6.1.1).</summary>
    public DnsResourceRecord? Opt => Additionals.Find(r => r.Type == DnsRecordType.OPT);

    public ushort Flags => DnsHeader.MakeFlags(
        IsResponse, Opcode, IsAuthoritative, IsTruncated, RecursionDesired, RecursionAvailable, AuthenticData, CheckingDisabled, ResponseCode);

    public static DnsMessage Parse(ReadOnlySpan<byte> data)
    {
        var header = DnsHeader.Read(data);
        var message = new DnsMessage
        {
            Id = header.Id,
            IsResponse = header.IsResponse,
            Opcode = header.Opcode,
            IsAuthoritative = header.IsAuthoritative,
            IsTruncated = header.IsTruncated,
            RecursionDesired = header.RecursionDesired,
            RecursionAvailable = header.RecursionAvailable,
            AuthenticData = header.AuthenticData,
            CheckingDisabled = header.CheckingDisabled,
            ResponseCode = header.ResponseCode,
        };

        var position = DnsHeader.Size;
        CheckCount(data, position, header.QuestionCount, MinQuestionLength, "QDCOUNT");
        for (var i = 0; i < header.QuestionCount; i++)
        {
            var field = new DnsField("question", i + 1, header.QuestionCount);
            var name = DnsName.Read(data, ref position, field);
            if (position + 4 > data.Length)
            {
                throw new DnsFormatException(DnsFormatError.PastEnd, position, $"{field}: type and class run past the end of the {data.Length}-byte message");
            }

            var type = (DnsRecordType)BinaryPrimitives.ReadUInt16BigEndian(data[position..]);
            var @class = BinaryPrimitives.ReadUInt16BigEndian(data[(position + 2)..]);
            position += 4;
            message.Questions.Add(new DnsQuestion(name, type, @class));
        }

        ReadSection(data, ref position, header.AnswerCount, "answer", "ANCOUNT", message.Answers);
        ReadSection(data, ref position, header.AuthorityCount, "authority", "NSCOUNT", message.Authorities);
        ReadSection(data, ref position, header.AdditionalCount, "additional", "ARCOUNT", message.Additionals);

        if (position != data.Length)
        {
            throw new DnsFormatException(DnsFormatError.TrailingData, position, $"{data.Length - position} bytes follow the last record the header counts");
        }

        return message;
    }

    public static bool TryParse(ReadOnlySpan<byte> data, out DnsMessage? message, out DnsFormatException? error)
    {
        try
        {
            message = Parse(data);
            error = null;
            return true;
        }
        catch (DnsFormatException e)
        {
            message = null;
            error = e;
            return false;
        }
    }

    /// <summary>
    /// Writes the message with name compression. When <paramref name="maxLength"/> is smaller than the
    /// message, records that do not fit are left out, the TC bit is set (RFC 1035 4.1.1) and the OPT
    /// record is still kept (RFC 6891 7). Returns the number of bytes written.
    /// </summary>
    public int Write(Span<byte> destination, int maxLength = int.MaxValue)
    {
        var limit = Math.Min(destination.Length, maxLength);
        var writer = new DnsMessageWriter(destination[..limit]);
        foreach (var question in Questions)
        {
            writer.WriteQuestion(question);
        }

        var opt = Opt;
        var reserve = opt is null ? 0 : DnsMessageWriter.MaxEncodedLength(opt);
        var truncated = IsTruncated;
        var answers = WriteSection(ref writer, Answers, reserve, ref truncated);
        var authorities = WriteSection(ref writer, Authorities, reserve, ref truncated);
        var additionals = 0;
        foreach (var record in Additionals)
        {
            if (record.Type == DnsRecordType.OPT)
            {
                continue;
            }

            if (truncated || !FitsWithReserve(ref writer, record, reserve))
            {
                // RFC 2181 9: missing additional data alone does not set TC.
                break;
            }

            writer.WriteRecord(record);
            additionals++;
        }

        if (opt is not null && writer.TryWriteRecord(opt))
        {
            additionals++;
        }

        var flags = DnsHeader.MakeFlags(
            IsResponse, Opcode, IsAuthoritative, truncated, RecursionDesired, RecursionAvailable, AuthenticData, CheckingDisabled, ResponseCode);
        writer.WriteHeader(new DnsHeader(Id, flags, checked((ushort)Questions.Count), (ushort)answers, (ushort)authorities, (ushort)additionals));
        return writer.Position;
    }

    /// <summary>Encodes into a new array (no size limit beyond the 64 KiB a TCP frame allows).</summary>
    public byte[] ToArray()
    {
        var buffer = new byte[ushort.MaxValue];
        var length = Write(buffer);
        return buffer.AsSpan(0, length).ToArray();
    }

    private static int WriteSection(ref DnsMessageWriter writer, List<DnsResourceRecord> records, int reserve, ref bool truncated)
    {
        var count = 0;
        foreach (var record in records)
        {
            if (truncated || !FitsWithReserve(ref writer, record, reserve))
            {
                truncated = true;
                break;
            }

            writer.WriteRecord(record);
            count++;
        }

        return count;
    }

    private static bool FitsWithReserve(ref DnsMessageWriter writer, DnsResourceRecord record, int reserve) =>
        DnsMessageWriter.MaxEncodedLength(record) + reserve <= writer.Remaining;

    internal static void CheckCount(ReadOnlySpan<byte> data, int position, int count, int minLength, string field)
    {
        // Cheap early refusal of "65535 questions in 40 bytes" before any work or allocation.
        if ((long)count * minLength > data.Length - position)
        {
            throw new DnsFormatException(DnsFormatError.PastEnd, 4, $"{field} {count} needs at least {(long)count * minLength} bytes, only {data.Length - position} follow the header");
        }
    }

    private static void ReadSection(ReadOnlySpan<byte> data, ref int position, int count, string section, string countField, List<DnsResourceRecord> records)
    {
        CheckCount(data, position, count, MinRecordLength, countField);
        for (var i = 0; i < count; i++)
        {
            records.Add(ReadRecord(data, ref position, new DnsField(section + " record", i + 1, count)));
        }
    }

    internal static DnsResourceRecord ReadRecord(ReadOnlySpan<byte> data, ref int position, DnsField field)
    {
        var name = DnsName.Read(data, ref position, field);
        if (position + 10 > data.Length)
        {
            throw new DnsFormatException(DnsFormatError.PastEnd, position, $"{field} '{name}': fixed fields run past the end of the {data.Length}-byte message");
        }

        var type = (DnsRecordType)BinaryPrimitives.ReadUInt16BigEndian(data[position..]);
        var @class = BinaryPrimitives.ReadUInt16BigEndian(data[(position + 2)..]);
        var ttl = BinaryPrimitives.ReadUInt32BigEndian(data[(position + 4)..]);
        var rdLength = BinaryPrimitives.ReadUInt16BigEndian(data[(position + 8)..]);
        position += 10;
        if (position + rdLength > data.Length)
        {
            throw new DnsFormatException(DnsFormatError.PastEnd, position - 2, $"{field} '{name}': RDLENGTH {rdLength} runs past the end of the {data.Length}-byte message");
        }

        var rdata = DnsRecordDataReader.Read(data, position, rdLength, type, name);
        position += rdLength;
        return new DnsResourceRecord(name, type, @class, ttl, rdata);
    }
}
