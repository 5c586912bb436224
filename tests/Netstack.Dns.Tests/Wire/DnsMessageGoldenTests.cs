using System.Net;
using Netstack.Dns.Wire;
using Xunit;

namespace Netstack.Dns.Tests.Wire;

public class DnsMessageGoldenTests
{
    // Captured from `dig @127.0.0.1 -p PORT Web.Example.COM AAAA` (dig 9.18): RD and AD set, EDNS0 with
    // a 1232-byte UDP size and an 8-byte client cookie (option 10).
    private static readonly byte[] DigQuery = Convert.FromHexString(
        "672a01200001000000000001" +
        "03576562074578616d706c6503434f4d00001c0001" +
        "00002904d000000000000c000a000869ff90df300b22f9");

    // Hand-built from RFC 1035 4.1: the answer to "web.example.com A" with two addresses, both owner
    // names compressed to the question's name at byte 12 (0xc00c), TTL 600.
    private static readonly byte[] TwoAddressAnswer = Convert.FromHexString(
        "123481800001000200000000" +
        "03776562076578616d706c6503636f6d0000010001" +
        "c00c000100010000025800040a000002" +
        "c00c000100010000025800040a000003");

    [Fact]
    public void Parse_DigQuery_ReadsHeaderQuestionAndOpt()
    {
        var message = DnsMessage.Parse(DigQuery);

        Assert.Equal(0x672a, message.Id);
        Assert.False(message.IsResponse);
        Assert.True(message.RecursionDesired);
        Assert.True(message.AuthenticData);
        var question = Assert.Single(message.Questions);
        Assert.Equal("Web.Example.COM", question.Name);
        Assert.Equal(DnsRecordType.AAAA, question.Type);
        Assert.Equal(DnsClass.Internet, question.Class);
        var opt = Assert.Single(message.Additionals);
        Assert.Equal(DnsRecordType.OPT, opt.Type);
        Assert.Equal(1232, opt.Class);
        Assert.Equal(Convert.FromHexString("000a000869ff90df300b22f9"), ((DnsRawData)opt.Data).Bytes.ToArray());
    }

    [Fact]
    public void Write_DigQuery_RoundTripsToTheSameBytes()
    {
        var message = DnsMessage.Parse(DigQuery);

        Assert.Equal(DigQuery, message.ToArray());
    }

    [Fact]
    public void Write_TwoAddresses_CompressesOwnerNamesToTheQuestion()
    {
        var message = new DnsMessage { Id = 0x1234, IsResponse = true, RecursionDesired = true, RecursionAvailable = true };
        message.Questions.Add(new DnsQuestion("web.example.com", DnsRecordType.A));
        message.Answers.Add(DnsResourceRecord.Address("web.example.com", IPAddress.Parse("10.0.0.2"), 600));
        message.Answers.Add(DnsResourceRecord.Address("web.example.com", IPAddress.Parse("10.0.0.3"), 600));

        Assert.Equal(TwoAddressAnswer, message.ToArray());
    }

    [Fact]
    public void Parse_TwoAddresses_FollowsPointers()
    {
        var message = DnsMessage.Parse(TwoAddressAnswer);

        Assert.True(message.IsResponse);
        Assert.Equal(DnsResponseCode.NoError, message.ResponseCode);
        Assert.Collection(
            message.Answers,
            a => Assert.Equal(("web.example.com", IPAddress.Parse("10.0.0.2")), (a.Name, ((DnsAddressData)a.Data).Address)),
            a => Assert.Equal(("web.example.com", IPAddress.Parse("10.0.0.3")), (a.Name, ((DnsAddressData)a.Data).Address)));
    }

    [Fact]
    public void Write_CnameToSibling_PointsAtTheSharedSuffix()
    {
        var message = new DnsMessage { Id = 1, IsResponse = true };
        message.Questions.Add(new DnsQuestion("www.example.com", DnsRecordType.A));
        message.Answers.Add(new DnsResourceRecord("www.example.com", DnsRecordType.CNAME, DnsClass.Internet, 60, new DnsNameData("web.example.com")));

        var bytes = message.ToArray();

        // Question name at 12 ("www" label 4 bytes, then "example.com" at 16); the answer owner is
        // 0xc00c, its CNAME data is "web" + pointer to 16: 03 'w' 'e' 'b' c0 10 (RDLENGTH 6).
        var answer = bytes.AsSpan(12 + 17 + 4);
        Assert.Equal(Convert.FromHexString("c00c000500010000003c0006" + "03776562" + "c010"), answer.ToArray());
        Assert.Equal("web.example.com", ((DnsNameData)DnsMessage.Parse(bytes).Answers[0].Data).Name);
    }

    [Fact]
    public void RoundTrip_EveryKnownType_KeepsTheData()
    {
        var message = new DnsMessage { Id = 7, IsResponse = true, IsAuthoritative = true, ResponseCode = DnsResponseCode.NoError };
        message.Questions.Add(new DnsQuestion("_http._tcp.svc.local", DnsRecordType.ANY));
        message.Answers.Add(DnsResourceRecord.Address("a.svc.local", IPAddress.Parse("192.0.2.1"), 10));
        message.Answers.Add(DnsResourceRecord.Address("a.svc.local", IPAddress.Parse("2001:db8::1"), 10));
        message.Answers.Add(new DnsResourceRecord("1.2.0.192.in-addr.arpa", DnsRecordType.PTR, DnsClass.Internet, 10, new DnsNameData("a.svc.local")));
        message.Answers.Add(new DnsResourceRecord("_http._tcp.svc.local", DnsRecordType.SRV, DnsClass.Internet, 10, new DnsSrvData(1, 2, 8080, "a.svc.local")));
        message.Answers.Add(new DnsResourceRecord("svc.local", DnsRecordType.TXT, DnsClass.Internet, 10, new DnsTxtData([[0x68, 0x69], []])));
        message.Answers.Add(new DnsResourceRecord("svc.local", DnsRecordType.MX, DnsClass.Internet, 10, new DnsMxData(5, "mail.svc.local")));
        message.Authorities.Add(new DnsResourceRecord("svc.local", DnsRecordType.SOA, DnsClass.Internet, 10, new DnsSoaData("ns.svc.local", "admin.svc.local", 1, 2, 3, 4, 5)));
        message.Additionals.Add(new DnsResourceRecord("svc.local", (DnsRecordType)65280, DnsClass.Internet, 10, new DnsRawData(new byte[] { 1, 2, 3 })));
        message.Additionals.Add(new DnsResourceRecord(string.Empty, DnsRecordType.OPT, 4096, 0, new DnsRawData(Array.Empty<byte>())));

        var parsed = DnsMessage.Parse(message.ToArray());

        Assert.True(parsed.IsAuthoritative);
        Assert.Equal(message.Questions, parsed.Questions);
        Assert.Equal(6, parsed.Answers.Count);
        Assert.Equal(new DnsAddressData(IPAddress.Parse("2001:db8::1")), parsed.Answers[1].Data);
        Assert.Equal(new DnsNameData("a.svc.local"), parsed.Answers[2].Data);
        Assert.Equal(new DnsSrvData(1, 2, 8080, "a.svc.local"), parsed.Answers[3].Data);
        var txt = (DnsTxtData)parsed.Answers[4].Data;
        Assert.Equal([[0x68, 0x69], []], txt.Strings);
        Assert.Equal(new DnsMxData(5, "mail.svc.local"), parsed.Answers[5].Data);
        Assert.Equal(new DnsSoaData("ns.svc.local", "admin.svc.local", 1, 2, 3, 4, 5), parsed.Authorities[0].Data);
        Assert.Equal((DnsRecordType)65280, parsed.Additionals[0].Type);
        Assert.Equal(new byte[] { 1, 2, 3 }, ((DnsRawData)parsed.Additionals[0].Data).Bytes.ToArray());
        Assert.Equal(DnsRecordType.OPT, parsed.Additionals[1].Type);
        Assert.Equal(4096, parsed.Additionals[1].Class);
    }

    [Fact]
    public void Write_SrvTarget_IsNeverCompressed()
    {
        var message = new DnsMessage { IsResponse = true };
        message.Questions.Add(new DnsQuestion("svc.local", DnsRecordType.SRV));
        message.Answers.Add(new DnsResourceRecord("svc.local", DnsRecordType.SRV, DnsClass.Internet, 1, new DnsSrvData(0, 0, 53, "svc.local")));

        var bytes = message.ToArray();

        // RFC 2782: the target is written out in full although "svc.local" sits at byte 12.
        var rdata = bytes.AsSpan(bytes.Length - 17);
        Assert.Equal(Convert.FromHexString("000000000035" + "03737663" + "056c6f63616c" + "00"), rdata.ToArray());
    }

    [Fact]
    public void Write_TooSmallForAllAnswers_SetsTruncatedAndKeepsOpt()
    {
        var message = new DnsMessage { IsResponse = true };
        message.Questions.Add(new DnsQuestion("many.local", DnsRecordType.A));
        for (var i = 0; i < 100; i++)
        {
            message.Answers.Add(DnsResourceRecord.Address("many.local", new IPAddress([10, 0, 0, (byte)i]), 5));
        }

        message.Additionals.Add(new DnsResourceRecord(string.Empty, DnsRecordType.OPT, 1232, 0, new DnsRawData(Array.Empty<byte>())));

        var buffer = new byte[4096];
        var length = message.Write(buffer, maxLength: 512);
        var parsed = DnsMessage.Parse(buffer.AsSpan(0, length));

        Assert.True(length <= 512);
        Assert.True(parsed.IsTruncated);
        Assert.InRange(parsed.Answers.Count, 1, 99);
        Assert.Equal(DnsRecordType.OPT, Assert.Single(parsed.Additionals).Type);
    }
}
