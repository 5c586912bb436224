using System.Net.Sockets;
using System.Net;
using Netstack.Dns.Server;
using Netstack.Dns.Tests.Support;
using Netstack.Dns.Wire;
using Netstack.TestKit;
using Netstack.TestKit.Dns;
using Xunit;
using static Netstack.Dns.Tests.Server.ServerFixture;

namespace Netstack.Dns.Tests.Server;

public class DnsServerTests
{
    [Fact]
    public async Task Udp_Query_Answered()
    {
        await using var server = Start();

        var answer = await AskUdpAsync(server.UdpEndpoint!, Queries.For("web", DnsRecordType.A, id: 5));

        Assert.Equal(5, answer.Id);
        Assert.Equal(IPAddress.Parse("10.1.0.3"), ((DnsAddressData)Assert.Single(answer.Answers).Data).Address);
    }

    [Fact]
    public async Task Udp_ForwardedQuery_AnsweredFromUpstream()
    {
        await using var upstream = StubDnsServer.OnLoopback(StubDnsServer.Answering("198.51.100.9"));
        await using var server = Start(upstreams: [upstream.Endpoint]);

        var answer = await AskUdpAsync(server.UdpEndpoint!, Queries.For("example.org", DnsRecordType.A));

        Assert.Equal(IPAddress.Parse("198.51.100.9"), ((DnsAddressData)Assert.Single(answer.Answers).Data).Address);
    }

    [Fact]
    public async Task Tcp_SeveralQueriesInOneWrite_AnsweredInOrderOnOneConnection()
    {
        await using var server = Start();
        using var client = new TcpClient();
        await client.ConnectAsync(server.TcpEndpoint!);
        var stream = client.GetStream();

        var burst = Frame(Queries.For("web", DnsRecordType.A, id: 1))
            .Concat(Frame(Queries.For("client", DnsRecordType.A, id: 2)))
            .Concat(Frame(Queries.For("web", DnsRecordType.AAAA, id: 3)))
            .ToArray();
        await stream.WriteAsync(burst);

        var answers = new[] { await ReadFrameAsync(stream), await ReadFrameAsync(stream), await ReadFrameAsync(stream) };

        Assert.Equal([1, 2, 3], answers.Select(a => (int)a.Id));
        Assert.Equal(IPAddress.Parse("10.1.0.2"), ((DnsAddressData)answers[1].Answers[0].Data).Address);
        Assert.Equal(IPAddress.Parse("fd00::3"), ((DnsAddressData)answers[2].Answers[0].Data).Address);
    }

    [Fact]
    public async Task Tcp_IdleConnection_ClosedAfterTheIdleTimeout()
    {
        var time = new FakeTimeProvider();
        await using var server = Start(new DnsServerOptions { TcpIdleTimeout = TimeSpan.FromSeconds(10) }, time);
        using var client = new TcpClient();
        await client.ConnectAsync(server.TcpEndpoint!);
        var stream = client.GetStream();
        // Half a length prefix: the server waits inside a message.
        await stream.WriteAsync(new byte[] { 0 });
        await time.WaitForTimersAsync();

        time.Advance(TimeSpan.FromSeconds(9));
        var stillOpen = stream.ReadAsync(new byte[1]).AsTask();
        await Task.Delay(100);
        Assert.False(stillOpen.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(0, await stillOpen.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Tcp_OverTheConnectionCap_NewConnectionClosedOldOnesServed()
    {
        await using var server = Start(new DnsServerOptions { MaxTcpConnections = 2 });
        using var first = new TcpClient();
        using var second = new TcpClient();
        await first.ConnectAsync(server.TcpEndpoint!);
        await second.ConnectAsync(server.TcpEndpoint!);
        await first.GetStream().WriteAsync(Frame(Queries.For("web", DnsRecordType.A)));
        await ReadFrameAsync(first.GetStream());
        await second.GetStream().WriteAsync(Frame(Queries.For("web", DnsRecordType.A)));
        await ReadFrameAsync(second.GetStream());
        Assert.Equal(2, server.TcpConnections);

        using var third = new TcpClient();
        await third.ConnectAsync(server.TcpEndpoint!);
        var read = await third.GetStream().ReadAsync(new byte[2]).AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(0, read);
        await first.GetStream().WriteAsync(Frame(Queries.For("client", DnsRecordType.A, id: 8)));
        Assert.Equal(8, (await ReadFrameAsync(first.GetStream())).Id);
    }

    [Fact]
    public async Task Tcp_ZeroLengthMessage_ClosesTheConnection()
    {
        await using var server = Start();
        using var client = new TcpClient();
        await client.ConnectAsync(server.TcpEndpoint!);

        await client.GetStream().WriteAsync(new byte[] { 0, 0 });

        Assert.Equal(0, await client.GetStream().ReadAsync(new byte[2]).AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void Constructor_UdpSocketThatIsStream_RejectedNamingIt()
    {
        using var stream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var resolver = new Netstack.Dns.Resolver.EmbeddedResolver(new() { SandboxId = "s" }, new Netstack.Dns.Names.DnsNameTable());

        var error = Assert.Throws<ArgumentException>(() => new DnsServer(resolver, stream, null));

        Assert.Contains("UDP socket", error.Message, StringComparison.Ordinal);
    }
}
