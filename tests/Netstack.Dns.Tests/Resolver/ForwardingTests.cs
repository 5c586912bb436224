using System.Net.Sockets;
using System.Net;
using Netstack.Dns.Resolver;
using Netstack.Dns.Tests.Support;
using Netstack.Dns.Wire;
using Netstack.TestKit;
using Netstack.TestKit.Dns;
using Xunit;
using static Netstack.Dns.Tests.Resolver.ResolverFixture;

namespace Netstack.Dns.Tests.Resolver;

public class ForwardingTests
{
    private static EmbeddedResolver Resolver(TimeProvider? time, params IPEndPoint[] servers) =>
        new(new EmbeddedResolverOptions { SandboxId = SandboxA, UpstreamServers = servers }, NameTable(), timeProvider: time);

    [Fact]
    public async Task UnknownName_ForwardedAndAnsweredWithTheClientsId()
    {
        await using var upstream = StubDnsServer.OnLoopback(StubDnsServer.Answering("198.51.100.1"));

        var answer = await AskAsync(Resolver(null, upstream.Endpoint), Queries.For("example.org", DnsRecordType.A, id: 0x1111));

        Assert.Equal(0x1111, answer.Id);
        Assert.Equal([IPAddress.Parse("198.51.100.1")], Addresses(answer));
        Assert.Equal(1, upstream.UdpQueries);
    }

    [Fact]
    public async Task OtherTypeForALocalName_Forwarded()
    {
        await using var upstream = StubDnsServer.OnLoopback((q, _) => StubDnsServer.ReplyTo(q, DnsResponseCode.NameError));

        var answer = await AskAsync(Resolver(null, upstream.Endpoint), Queries.For("web", DnsRecordType.MX));

        Assert.Equal(DnsResponseCode.NameError, answer.ResponseCode);
        Assert.Equal(1, upstream.UdpQueries);
    }

    [Fact]
    public async Task Truncated_RetriedOverTcpOnTheSameServer()
    {
        await using var upstream = StubDnsServer.OnLoopback((query, overTcp) =>
        {
            var reply = StubDnsServer.ReplyTo(query);
            if (!overTcp)
            {
                reply.IsTruncated = true;
                return reply;
            }

            for (var i = 0; i < 60; i++)
            {
                reply.Answers.Add(DnsResourceRecord.Address(query.Questions[0].Name, new IPAddress([203, 0, 113, (byte)i]), 30));
            }

            return reply;
        });

        var answer = await AskAsync(Resolver(null, upstream.Endpoint), Queries.For("big.example", DnsRecordType.A), overTcp: true);

        Assert.Equal(60, answer.Answers.Count);
        Assert.Equal((1, 1), (upstream.UdpQueries, upstream.TcpQueries));
    }

    [Fact]
    public async Task UpstreamAnswerTooBigForTheClient_TruncatedForTheClient()
    {
        await using var upstream = StubDnsServer.OnLoopback((query, _) =>
        {
            var reply = StubDnsServer.ReplyTo(query);
            for (var i = 0; i < 60; i++)
            {
                reply.Answers.Add(DnsResourceRecord.Address(query.Questions[0].Name, new IPAddress([203, 0, 113, (byte)i]), 30));
            }

            return reply;
        });
        var response = new byte[65536];

        // 60 A records are ~ 1000 bytes; a client without EDNS takes 512.
        var length = await Resolver(null, upstream.Endpoint).ResolveAsync(Queries.For("big.example", DnsRecordType.A), response, overTcp: false);
        var answer = DnsMessage.Parse(response.AsSpan(0, length));

        Assert.True(answer.IsTruncated);
        Assert.Empty(answer.Answers);
        Assert.Equal("big.example", answer.Questions[0].Name);
    }

    [Fact]
    public async Task ServFailFromTheFirstServer_TheSecondAnswers()
    {
        await using var failing = StubDnsServer.OnLoopback(StubDnsServer.Answering("0.0.0.0", DnsResponseCode.ServerFailure));
        await using var working = StubDnsServer.OnLoopback(StubDnsServer.Answering("198.51.100.2"));

        var answer = await AskAsync(Resolver(null, failing.Endpoint, working.Endpoint), Queries.For("example.org", DnsRecordType.A));

        Assert.Equal([IPAddress.Parse("198.51.100.2")], Addresses(answer));
        Assert.Equal((1, 1), (failing.UdpQueries, working.UdpQueries));
    }

    [Fact]
    public async Task RefusedConnection_TheNextServerAnswers()
    {
        var closed = ClosedPort();
        await using var working = StubDnsServer.OnLoopback(StubDnsServer.Answering("198.51.100.3"));

        var answer = await AskAsync(Resolver(null, closed, working.Endpoint), Queries.For("example.org", DnsRecordType.A));

        Assert.Equal([IPAddress.Parse("198.51.100.3")], Addresses(answer));
    }

    [Fact]
    public async Task SilentServer_TimesOutAndTheNextServerAnswers()
    {
        var time = new FakeTimeProvider();
        await using var silent = StubDnsServer.OnLoopback((_, _) => null);
        await using var working = StubDnsServer.OnLoopback(StubDnsServer.Answering("198.51.100.4"));
        var resolver = Resolver(time, silent.Endpoint, working.Endpoint);
        var response = new byte[65536];

        var pending = resolver.ResolveAsync(Queries.For("example.org", DnsRecordType.A), response, false).AsTask();
        await time.WaitForTimersAsync();
        Assert.False(pending.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(4));
        var length = await pending.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal([IPAddress.Parse("198.51.100.4")], Addresses(DnsMessage.Parse(response.AsSpan(0, length))));
        Assert.Equal(1, silent.UdpQueries);
    }

    [Fact]
    public async Task EveryServerFails_ServFail()
    {
        var time = new FakeTimeProvider();
        await using var silent = StubDnsServer.OnLoopback((_, _) => null);
        var resolver = Resolver(time, ClosedPort(), silent.Endpoint);
        var response = new byte[65536];

        var pending = resolver.ResolveAsync(Queries.For("example.org", DnsRecordType.A, id: 3), response, false).AsTask();
        await time.WaitForTimersAsync();
        time.Advance(TimeSpan.FromSeconds(4));
        var answer = DnsMessage.Parse(response.AsSpan(0, await pending.WaitAsync(TimeSpan.FromSeconds(30))));

        Assert.Equal(3, answer.Id);
        Assert.Equal(DnsResponseCode.ServerFailure, answer.ResponseCode);
    }

    [Fact]
    public async Task AnswerWithAnotherId_IgnoredAsForged()
    {
        var time = new FakeTimeProvider();
        await using var forger = StubDnsServer.OnLoopback((q, _) =>
        {
            var reply = StubDnsServer.Answering("6.6.6.6")(q, false)!;
            reply.Id ^= 0x5555;
            return reply;
        });
        var resolver = Resolver(time, forger.Endpoint);
        var response = new byte[65536];

        var pending = resolver.ResolveAsync(Queries.For("example.org", DnsRecordType.A), response, false).AsTask();
        await time.WaitForTimersAsync();
        time.Advance(TimeSpan.FromSeconds(4));
        var answer = DnsMessage.Parse(response.AsSpan(0, await pending.WaitAsync(TimeSpan.FromSeconds(30))));

        Assert.Equal(DnsResponseCode.ServerFailure, answer.ResponseCode);
        Assert.Empty(answer.Answers);
    }

    [Fact]
    public async Task MalformedUpstreamAnswer_NextServerUsed()
    {
        using var bad = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        bad.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var badLoop = Task.Run(async () =>
        {
            var buffer = new byte[512];
            var from = await bad.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0));
            // Echo the ID and question count with QR set, then a pointer loop as the question name.
            var reply = Convert.FromHexString("000081800001000000000000c00c00010001");
            reply[0] = buffer[0];
            reply[1] = buffer[1];
            await bad.SendToAsync(reply, SocketFlags.None, from.RemoteEndPoint);
        });
        await using var working = StubDnsServer.OnLoopback(StubDnsServer.Answering("198.51.100.5"));

        var answer = await AskAsync(Resolver(null, (IPEndPoint)bad.LocalEndPoint!, working.Endpoint), Queries.For("example.org", DnsRecordType.A));
        await badLoop;

        Assert.Equal([IPAddress.Parse("198.51.100.5")], Addresses(answer));
    }

    [Fact]
    public async Task NoUpstreamServers_ServFail()
    {
        var answer = await AskAsync(Resolver(null), Queries.For("example.org", DnsRecordType.A));

        Assert.Equal(DnsResponseCode.ServerFailure, answer.ResponseCode);
    }

    private static IPEndPoint ClosedPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return (IPEndPoint)socket.LocalEndPoint!;
    }
}
