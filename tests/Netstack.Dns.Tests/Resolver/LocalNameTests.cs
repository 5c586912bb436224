using System.Net;
using Netstack.Dns.Names;
using Netstack.Dns.Resolver;
using Netstack.Dns.Tests.Support;
using Netstack.Dns.Wire;
using Netstack.TestKit.Dns;
using Xunit;
using static Netstack.Dns.Tests.Resolver.ResolverFixture;

namespace Netstack.Dns.Tests.Resolver;

public class LocalNameTests : IAsyncLifetime
{
    private StubDnsServer _upstream = null!;

    public Task InitializeAsync()
    {
        _upstream = StubDnsServer.OnLoopback(StubDnsServer.Answering("198.51.100.7"));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _upstream.DisposeAsync();

    private EmbeddedResolver Resolver(string sandbox, DnsNameTable? names = null, bool forward = true) =>
        new(new EmbeddedResolverOptions { SandboxId = sandbox, UpstreamServers = [_upstream.Endpoint], ForwardExternal = forward }, names ?? NameTable());

    [Fact]
    public async Task A_ContainerOnSharedNetwork_AnsweredLocallyWithTtl600()
    {
        var answer = await AskAsync(Resolver(SandboxA), Queries.For("web", DnsRecordType.A, id: 77));

        Assert.Equal(77, answer.Id);
        Assert.True(answer.IsResponse);
        Assert.True(answer.IsAuthoritative);
        Assert.Equal(DnsResponseCode.NoError, answer.ResponseCode);
        Assert.Equal([IPAddress.Parse("10.1.0.3")], Addresses(answer));
        Assert.Equal(600u, answer.Answers[0].Ttl);
        Assert.Equal(0, _upstream.UdpQueries);
    }

    [Fact]
    public async Task A_MixedCaseAlias_MatchesAndEchoesTheAskedCase()
    {
        var answer = await AskAsync(Resolver(SandboxA), Queries.For("wEB-aLIAS.", DnsRecordType.A));

        Assert.Equal("wEB-aLIAS", answer.Questions[0].Name);
        Assert.Equal("wEB-aLIAS", answer.Answers[0].Name);
        Assert.Equal([IPAddress.Parse("10.1.0.3")], Addresses(answer));
    }

    [Fact]
    public async Task A_ShortContainerId_Answered()
    {
        var answer = await AskAsync(Resolver(SandboxB), Queries.For("0123456789ab", DnsRecordType.A));

        Assert.Equal([IPAddress.Parse("10.1.0.2")], Addresses(answer));
    }

    [Fact]
    public async Task A_NameOnANetworkTheAskerIsNotOn_IsForwardedNotAnswered()
    {
        // "db" lives only on "back"; sandbox A is only on "front".
        var answer = await AskAsync(Resolver(SandboxA), Queries.For("db", DnsRecordType.A));

        Assert.Equal([IPAddress.Parse("198.51.100.7")], Addresses(answer));
        Assert.Equal(1, _upstream.UdpQueries);
    }

    [Fact]
    public async Task A_NameOnTwoOfTheAskersNetworks_AnswersBothAddresses()
    {
        var names = NameTable();
        names.Set(new DnsNameEntry("back", "ep-c2", SandboxC, ["web"], [IPAddress.Parse("10.2.0.9")]));

        // Sandbox B is on both networks: "web" is itself on front and back, plus ep-c2 on back.
        var answer = await AskAsync(Resolver(SandboxB, names), Queries.For("web", DnsRecordType.A));

        Assert.Equal(
            new[] { "10.1.0.3", "10.2.0.3", "10.2.0.9" }.Select(IPAddress.Parse).Order(Comparer<IPAddress>.Create((x, y) => string.CompareOrdinal(x.ToString(), y.ToString()))),
            Addresses(answer).Order(Comparer<IPAddress>.Create((x, y) => string.CompareOrdinal(x.ToString(), y.ToString()))));
    }

    [Fact]
    public async Task A_AliasOverSeveralContainers_ComesInRandomOrder()
    {
        var names = new DnsNameTable();
        names.Set(new DnsNameEntry("n", "asker", "s", ["asker"], [IPAddress.Parse("10.9.0.1")]));
        for (var i = 2; i < 8; i++)
        {
            names.Set(new DnsNameEntry("n", $"ep{i}", $"s{i}", [$"c{i}", "pool"], [IPAddress.Parse($"10.9.0.{i}")]));
        }

        var resolver = Resolver("s", names);
        var orders = new HashSet<string>();
        for (var i = 0; i < 40; i++)
        {
            var answer = await AskAsync(resolver, Queries.For("pool", DnsRecordType.A));
            Assert.Equal(6, answer.Answers.Count);
            orders.Add(string.Join(',', Addresses(answer).Select(a => a.ToString())));
        }

        // 6! = 720 orders; 40 draws all alike would mean no shuffling.
        Assert.True(orders.Count > 5, $"only {orders.Count} distinct orders in 40 answers");
    }

    [Fact]
    public async Task Aaaa_ContainerWithIpv6_Answered()
    {
        var answer = await AskAsync(Resolver(SandboxA), Queries.For("web", DnsRecordType.AAAA));

        Assert.Equal([IPAddress.Parse("fd00::3")], Addresses(answer));
        Assert.Equal(DnsRecordType.AAAA, answer.Answers[0].Type);
    }

    [Fact]
    public async Task Aaaa_Ipv4OnlyContainer_NoDataAndNotForwarded()
    {
        var answer = await AskAsync(Resolver(SandboxB), Queries.For("client", DnsRecordType.AAAA));

        Assert.Equal(DnsResponseCode.NoError, answer.ResponseCode);
        Assert.Empty(answer.Answers);
        Assert.Equal(0, _upstream.UdpQueries);
    }

    [Fact]
    public async Task Ptr_ContainerAddress_AnswersItsName()
    {
        var answer = await AskAsync(Resolver(SandboxA), Queries.For("3.0.1.10.in-addr.arpa", DnsRecordType.PTR));

        Assert.Equal(new DnsNameData("web"), Assert.Single(answer.Answers).Data);
    }

    [Fact]
    public async Task Ptr_Ipv6ContainerAddress_AnswersItsName()
    {
        var answer = await AskAsync(Resolver(SandboxA), Queries.For(ReverseName.For(IPAddress.Parse("fd00::3")), DnsRecordType.PTR));

        Assert.Equal(new DnsNameData("web"), Assert.Single(answer.Answers).Data);
    }

    [Fact]
    public async Task Ptr_AddressOfAnInvisibleContainer_IsForwarded()
    {
        await AskAsync(Resolver(SandboxA), Queries.For("4.0.2.10.in-addr.arpa", DnsRecordType.PTR));

        Assert.Equal(1, _upstream.UdpQueries);
    }

    [Fact]
    public async Task Names_ChangeAtOnce_WhenEndpointsLeaveAndJoin()
    {
        var names = NameTable();
        var resolver = Resolver(SandboxA, names, forward: false);
        Assert.Single((await AskAsync(resolver, Queries.For("web", DnsRecordType.A))).Answers);

        names.Remove("front", "ep-b1");
        Assert.Equal(DnsResponseCode.ServerFailure, (await AskAsync(resolver, Queries.For("web", DnsRecordType.A))).ResponseCode);

        names.Set(new DnsNameEntry("front", "ep-b1", SandboxB, ["web-renamed"], [IPAddress.Parse("10.1.0.3")]));
        Assert.Single((await AskAsync(resolver, Queries.For("web-renamed", DnsRecordType.A))).Answers);
    }

    [Fact]
    public async Task Internal_UnknownName_ServFailAndNothingForwarded()
    {
        var answer = await AskAsync(Resolver(SandboxA, forward: false), Queries.For("example.org", DnsRecordType.A, id: 9));

        Assert.Equal(9, answer.Id);
        Assert.Equal(DnsResponseCode.ServerFailure, answer.ResponseCode);
        Assert.Equal("example.org", Assert.Single(answer.Questions).Name);
        Assert.Equal(0, _upstream.UdpQueries + _upstream.TcpQueries);
    }

    [Fact]
    public async Task Internal_LocalName_StillAnswered()
    {
        var answer = await AskAsync(Resolver(SandboxA, forward: false), Queries.For("web", DnsRecordType.A));

        Assert.Equal([IPAddress.Parse("10.1.0.3")], Addresses(answer));
    }

    [Fact]
    public async Task Udp_ManyAddressesWithoutEdns_TruncatedTo512Bytes()
    {
        var names = new DnsNameTable();
        names.Set(new DnsNameEntry("n", "asker", "s", ["asker"], [IPAddress.Parse("10.8.0.1")]));
        for (var i = 0; i < 100; i++)
        {
            names.Set(new DnsNameEntry("n", $"ep{i}", $"s{i}", ["big"], [new IPAddress([10, 8, 1, (byte)i])]));
        }

        var resolver = Resolver("s", names);
        var response = new byte[65536];

        var udpLength = await resolver.ResolveAsync(Queries.For("big", DnsRecordType.A), response, overTcp: false);
        var udp = DnsMessage.Parse(response.AsSpan(0, udpLength));
        var tcp = await AskAsync(resolver, Queries.For("big", DnsRecordType.A), overTcp: true);
        var edns = await AskAsync(resolver, Queries.For("big", DnsRecordType.A, ednsSize: 4096));

        Assert.True(udpLength <= 512, $"{udpLength} bytes over UDP without EDNS");
        Assert.True(udp.IsTruncated);
        Assert.Equal(100, tcp.Answers.Count);
        Assert.False(tcp.IsTruncated);
        Assert.Equal(100, edns.Answers.Count);
        Assert.Equal(DnsRecordType.OPT, Assert.Single(edns.Additionals).Type);
    }
}
