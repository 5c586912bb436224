using System.Buffers.Binary;

namespace Netstack.Dns.Wire;

/// <summary>
/// A query as a server needs it: the header, its single question and the EDNS0 UDP size. Parsing is
/// as strict as <see cref="DnsMessage.Parse"/> (every record is checked) but keeps only these fields,
/// so the hot path of the resolver allocates little.
/// </summary>
public readonly record struct DnsQuery(
    DnsHeader Header,
    string Name,
    DnsRecordType Type,
    ushort Class,
    int QuestionEnd,
    bool HasEdns,
    ushort EdnsUdpSize)
{
    /// <summary>
    /// Parses a message expected to be a query. Throws <see cref="DnsFormatException"/> when the bytes
    /// are malformed; the caller decides what a well-formed but unwanted message (a response, no
    /// question) deserves. <see cref="Name"/> is empty and <see cref="QuestionEnd"/> 12 when the
    /// message has no question.
    /// </summary>
    public static DnsQuery Parse(ReadOnlySpan<byte> data)
    {
        var header = DnsHeader.Read(data);
        var position = DnsHeader.Size;
        DnsMessage.CheckCount(data, position, header.QuestionCount, DnsMessage.MinQuestionLength, "QDCOUNT");
        var name = string.Empty;
        DnsRecordType type = 0;
        ushort @class = 0;
        var questionEnd = DnsHeader.Size;
        for (var i = 0; i < header.QuestionCount; i++)
        {
            var field = new DnsField("question", i + 1, header.QuestionCount);
            var questionName = DnsName.Read(data, ref position, field);
            if (position + 4 > data.Length)
            {
                throw new DnsFormatException(DnsFormatError.PastEnd, position, $"{field}: type and class run past the end of the {data.Length}-byte message");
            }

            if (i == 0)
            {
                name = questionName;
                type = (DnsRecordType)BinaryPrimitives.ReadUInt16BigEndian(data[position..]);
                @class = BinaryPrimitives.ReadUInt16BigEndian(data[(position + 2)..]);
                questionEnd = position + 4;
            }

            position += 4;
        }

        var records = header.AnswerCount + header.AuthorityCount + header.AdditionalCount;
        DnsMessage.CheckCount(data, position, records, DnsMessage.MinRecordLength, "ANCOUNT+NSCOUNT+ARCOUNT");
        var hasEdns = false;
        ushort ednsSize = 0;
        for (var i = 0; i < records; i++)
        {
            var record = DnsMessage.ReadRecord(data, ref position, new DnsField("record", i + 1, records));
            if (record.Type == DnsRecordType.OPT && i >= header.AnswerCount + header.AuthorityCount)
            {
                hasEdns = true;
                ednsSize = record.Class;
            }
        }

        if (position != data.Length)
        {
            throw new DnsFormatException(DnsFormatError.TrailingData, position, $"{data.Length - position} bytes follow the last record the header counts");
        }

        return new DnsQuery(header, name, type, @class, questionEnd, hasEdns, ednsSize);
    }
}
