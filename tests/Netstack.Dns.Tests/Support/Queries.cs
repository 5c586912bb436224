using Netstack.Dns.Wire;

namespace Netstack.Dns.Tests.Support;

public static class Queries
{
    public static byte[] For(string name, DnsRecordType type, ushort id = 0x4242, ushort? ednsSize = null)
    {
        var query = new DnsMessage { Id = id, RecursionDesired = true };
        query.Questions.Add(new DnsQuestion(name, type));
        if (ednsSize is { } size)
        {
            query.Additionals.Add(new DnsResourceRecord(string.Empty, DnsRecordType.OPT, size, 0, new DnsRawData(Array.Empty<byte>())));
        }

        return query.ToArray();
    }
}
