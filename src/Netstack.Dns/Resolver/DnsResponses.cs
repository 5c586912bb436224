using System.Buffers.Binary;
using Netstack.Dns.Wire;

namespace Netstack.Dns.Resolver;

/// <summary>Builds the small responses the resolver writes itself, straight into the send buffer.</summary>
internal static class DnsResponses
{
    /// <summary>EDNS0 UDP size we advertise: 1232 avoids IP fragmentation on any path (DNS Flag Day 2020).</summary>
    public const ushort AdvertisedUdpSize = 1232;

    /// <summary>Without EDNS0 a UDP message is at most 512 bytes (RFC 1035 4.2.1).</summary>
    public const int ClassicUdpSize = 512;

    /// <summary>Largest UDP size we honour from a client's OPT record; larger answers go over TCP.</summary>
    public const int MaxUdpSize = 4096;

    /// <summary>A TCP message is framed by a 2-byte length (RFC 1035 4.2.2).</summary>
    public const int MaxTcpSize = ushort.MaxValue;

    // OPT pseudo-record: root name (1) + type (2) + class (2) + TTL (4) + RDLENGTH (2).
    public const int OptLength = 11;

    public static int MaxResponseSize(in DnsQuery query, bool overTcp) =>
        overTcp ? MaxTcpSize : query.HasEdns ? Math.Clamp((int)query.EdnsUdpSize, ClassicUdpSize, MaxUdpSize) : ClassicUdpSize;

    /// <summary>
    /// An answer carrying only a response code: the header (ID, opcode, RD and CD echoed) and, when
    /// the query could be parsed, its question. Used for FORMERR, NOTIMP, SERVFAIL and REFUSED.
    /// </summary>
    public static int WriteError(ReadOnlySpan<byte> query, DnsQuery? parsed, DnsResponseCode code, Span<byte> response)
    {
        var requestFlags = BinaryPrimitives.ReadUInt16BigEndian(query[2..]);
        var header = new DnsHeader(requestFlags, requestFlags, 0, 0, 0, 0);
        var flags = DnsHeader.MakeFlags(true, header.Opcode, false, false, header.RecursionDesired, true, false, header.CheckingDisabled, code);
        var questionLength = 0;
        ushort questions = 0;
        if (parsed is { } q && q.QuestionEnd > DnsHeader.Size && q.Header.QuestionCount == 1)
        {
            questionLength = q.QuestionEnd - DnsHeader.Size;
            query[DnsHeader.Size..q.QuestionEnd].CopyTo(response[DnsHeader.Size..]);
            questions = 1;
        }

        new DnsHeader(BinaryPrimitives.ReadUInt16BigEndian(query), flags, questions, 0, 0, 0).Write(response);
        return DnsHeader.Size + questionLength;
    }

    /// <summary>Starts an answer: header placeholder and the question copied from the query (it has no pointers: it is the first name).</summary>
    public static int WriteQuestion(ReadOnlySpan<byte> query, in DnsQuery parsed, Span<byte> response)
    {
        query[DnsHeader.Size..parsed.QuestionEnd].CopyTo(response[DnsHeader.Size..]);
        return parsed.QuestionEnd;
    }

    public static void WriteAnswerHeader(in DnsQuery parsed, Span<byte> response, ushort answers, bool truncated, bool withOpt)
    {
        var request = parsed.Header;
        var flags = DnsHeader.MakeFlags(true, request.Opcode, true, truncated, request.RecursionDesired, true, false, request.CheckingDisabled, DnsResponseCode.NoError);
        new DnsHeader(request.Id, flags, 1, answers, 0, (ushort)(withOpt ? 1 : 0)).Write(response);
    }

    public static int WriteOpt(Span<byte> response)
    {
        response[0] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(response[1..], (ushort)DnsRecordType.OPT);
        BinaryPrimitives.WriteUInt16BigEndian(response[3..], AdvertisedUdpSize);
        BinaryPrimitives.WriteUInt32BigEndian(response[5..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(response[9..], 0);
        return OptLength;
    }

    /// <summary>
    /// An upstream answer too big for the client's UDP size: keep its header flags and question, drop
    /// the records and set TC so the client asks again over TCP (RFC 1035 4.2.1, RFC 7766 5).
    /// </summary>
    public static int WriteTruncated(ReadOnlySpan<byte> query, in DnsQuery parsed, ReadOnlySpan<byte> upstreamAnswer, Span<byte> response)
    {
        var flags = (ushort)(BinaryPrimitives.ReadUInt16BigEndian(upstreamAnswer[2..]) | 0x0200);
        var length = WriteQuestion(query, parsed, response);
        new DnsHeader(parsed.Header.Id, flags, 1, 0, 0, 0).Write(response);
        return length;
    }
}
