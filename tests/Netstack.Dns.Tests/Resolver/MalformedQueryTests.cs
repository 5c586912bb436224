using Netstack.Dns.Resolver;
using Netstack.Dns.Tests.Support;
using Netstack.Dns.Wire;
using Xunit;
using static Netstack.Dns.Tests.Resolver.ResolverFixture;

namespace Netstack.Dns.Tests.Resolver;

public class MalformedQueryTests
{
    private readonly EmbeddedResolver _resolver = new(new EmbeddedResolverOptions { SandboxId = SandboxA }, NameTable());

    [Fact]
    public async Task PointerLoop_FormErrWithTheQueryId()
    {
        var answer = await AskAsync(_resolver, Convert.FromHexString("beef01000001000000000000" + "0161c00c00010001"));

        Assert.Equal(0xbeef, answer.Id);
        Assert.Equal(DnsResponseCode.FormatError, answer.ResponseCode);
        Assert.Empty(answer.Questions);
    }

    [Fact]
    public async Task ShorterThanHeader_Dropped()
    {
        Assert.Equal(0, await _resolver.ResolveAsync(new byte[] { 1, 2, 3 }, new byte[65536], false));
    }

    [Fact]
    public async Task AResponse_DroppedSoNoLoopStarts()
    {
        var response = Queries.For("web", DnsRecordType.A);
        response[2] |= 0x80;

        Assert.Equal(0, await _resolver.ResolveAsync(response, new byte[65536], false));
    }

    [Fact]
    public async Task UpdateOpcode_NotImplemented()
    {
        var query = Queries.For("web", DnsRecordType.A);
        query[2] = (byte)((query[2] & 0x87) | (5 << 3));

        Assert.Equal(DnsResponseCode.NotImplemented, (await AskAsync(_resolver, query)).ResponseCode);
    }

    [Fact]
    public async Task TwoQuestions_FormErr()
    {
        var query = new DnsMessage { Id = 5 };
        query.Questions.Add(new DnsQuestion("web", DnsRecordType.A));
        query.Questions.Add(new DnsQuestion("client", DnsRecordType.A));

        Assert.Equal(DnsResponseCode.FormatError, (await AskAsync(_resolver, query.ToArray())).ResponseCode);
    }

    [Fact]
    public async Task NoQuestion_FormErr()
    {
        Assert.Equal(DnsResponseCode.FormatError, (await AskAsync(_resolver, Convert.FromHexString("000101000000000000000000"))).ResponseCode);
    }
}
