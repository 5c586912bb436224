using System.Buffers.Binary;
using System.Net.Sockets;
using System.Net;
using Netstack.Dns.Server;
using Netstack.Dns.Tests.Support;
using Netstack.Dns.Wire;
using Netstack.TestKit.Dns;
using Xunit.Abstractions;
using Xunit;
using static Netstack.Dns.Tests.Server.ServerFixture;

namespace Netstack.Dns.Tests.Server;

/// <summary>
/// Throws thousands of random and mutated messages at a running server over UDP and TCP, then
/// checks it still answers correctly and that everything it sent back was a well-formed response.
/// </summary>
public class FuzzTests(ITestOutputHelper output)
{
    private const int UdpPackets = 6000;
    private const int TcpConnections = 150;
    private const int MessagesPerConnection = 20;

    [Fact]
    public async Task RandomAndMutatedPackets_ServerStillAnswersCorrectly()
    {
        await using var upstream = StubDnsServer.OnLoopback(StubDnsServer.Answering("198.51.100.10"));
        await using var server = Start(new DnsServerOptions { TcpIdleTimeout = TimeSpan.FromMilliseconds(300), MaxTcpConnections = 32 }, upstreams: [upstream.Endpoint]);
        var random = new Random(20261122);
        var seeds = Seeds();

        var (sent, replies, badReplies) = await FloodUdpAsync(server.UdpEndpoint!, random, seeds);
        await FloodTcpAsync(server.TcpEndpoint!, random, seeds);

        output.WriteLine($"udp: {sent} fuzzed packets sent, {replies} replies, {badReplies} malformed replies");
        Assert.Equal(UdpPackets, sent);
        Assert.True(replies > 0, "the server answered none of the fuzzed packets (FORMERR expected for many)");
        Assert.True(badReplies == 0, $"{badReplies} of {replies} replies to fuzzed packets were not well-formed responses");
        var udp = await AskUdpAsync(server.UdpEndpoint!, Queries.For("WEB", DnsRecordType.A, id: 0x7777));
        Assert.Equal(0x7777, udp.Id);
        Assert.Equal(IPAddress.Parse("10.1.0.3"), ((DnsAddressData)Assert.Single(udp.Answers).Data).Address);
        var forwarded = await AskUdpAsync(server.UdpEndpoint!, Queries.For("example.org", DnsRecordType.A));
        Assert.Equal(IPAddress.Parse("198.51.100.10"), ((DnsAddressData)Assert.Single(forwarded.Answers).Data).Address);
        using var client = new TcpClient();
        await client.ConnectAsync(server.TcpEndpoint!);
        await client.GetStream().WriteAsync(Frame(Queries.For("client", DnsRecordType.A, id: 0x7778)));
        var tcp = await ReadFrameAsync(client.GetStream());
        Assert.Equal(IPAddress.Parse("10.1.0.2"), ((DnsAddressData)Assert.Single(tcp.Answers).Data).Address);
        client.Dispose();

        // Every fuzzing connection's slot comes back (closed by the client, the parser or the idle timeout).
        for (var i = 0; i < 200 && server.TcpConnections > 0; i++)
        {
            await Task.Delay(50);
        }

        Assert.Equal(0, server.TcpConnections);
    }

    internal static List<byte[]> Seeds()
    {
        var withCompression = new DnsMessage { Id = 1, IsResponse = false };
        withCompression.Questions.Add(new DnsQuestion("web.example.com", DnsRecordType.A));
        withCompression.Answers.Add(new DnsResourceRecord("www.example.com", DnsRecordType.CNAME, DnsClass.Internet, 1, new DnsNameData("web.example.com")));
        withCompression.Additionals.Add(new DnsResourceRecord(string.Empty, DnsRecordType.OPT, 1232, 0, new DnsRawData(new byte[] { 0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8 })));
        return
        [
            Queries.For("web", DnsRecordType.A),
            Queries.For("web", DnsRecordType.AAAA, ednsSize: 4096),
            Queries.For("3.0.1.10.in-addr.arpa", DnsRecordType.PTR),
            Queries.For("example.org", DnsRecordType.A),
            withCompression.ToArray(),
        ];
    }

    internal static byte[] Mutate(Random random, List<byte[]> seeds)
    {
        var packet = (byte[])seeds[random.Next(seeds.Count)].Clone();
        switch (random.Next(9))
        {
            case 0:
                // Pure noise, any size up to 600 bytes.
                var noise = new byte[random.Next(0, 600)];
                random.NextBytes(noise);
                if (noise.Length > 2)
                {
                    noise[2] &= 0x7F; // mostly "queries", so the server parses them
                }

                return noise;
            case 1:
                // Truncated anywhere.
                return packet[..random.Next(0, packet.Length)];
            case 2:
                // Huge section counts.
                BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(4 + (2 * random.Next(4))), (ushort)random.Next(2, 65536));
                return packet;
            case 3:
                // A pointer loop or forward pointer dropped onto a random place after the header.
                var at = random.Next(12, packet.Length - 1);
                var target = random.Next(2) == 0 ? at : random.Next(0, packet.Length);
                packet[at] = (byte)(0xC0 | (target >> 8));
                packet[at + 1] = (byte)target;
                return packet;
            case 4:
                // Label length bytes over 63 or past the end.
                packet[12] = (byte)random.Next(0x40, 0x100);
                return packet;
            case 5:
                // Trailing junk.
                var longer = new byte[packet.Length + random.Next(1, 40)];
                packet.CopyTo(longer, 0);
                random.NextBytes(longer.AsSpan(packet.Length));
                return longer;
            default:
                // A few random bit flips.
                for (var i = random.Next(1, 6); i > 0; i--)
                {
                    packet[random.Next(packet.Length)] ^= (byte)(1 << random.Next(8));
                }

                return packet;
        }
    }

    private static async Task<(int Sent, int Replies, int BadReplies)> FloodUdpAsync(IPEndPoint server, Random random, List<byte[]> seeds)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Connect(server);
        var replies = 0;
        var bad = 0;
        using var stop = new CancellationTokenSource();
        var reader = Task.Run(async () =>
        {
            var buffer = new byte[65536];
            while (!stop.IsCancellationRequested)
            {
                int length;
                try
                {
                    length = await socket.ReceiveAsync(buffer, SocketFlags.None, stop.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException)
                {
                    if (stop.IsCancellationRequested)
                    {
                        return;
                    }

                    continue;
                }

                replies++;
                if (!DnsMessage.TryParse(buffer.AsSpan(0, length), out var reply, out _) || !reply!.IsResponse)
                {
                    bad++;
                }
            }
        });

        var sent = 0;
        for (var i = 0; i < UdpPackets; i++)
        {
            await socket.SendAsync(Mutate(random, seeds), SocketFlags.None);
            sent++;
            if (i % 200 == 0)
            {
                // Let the server drain now and then, so most packets are parsed rather than lost in the buffer.
                await Task.Delay(5);
            }
        }

        await Task.Delay(500);
        await stop.CancelAsync();
        await reader;
        return (sent, replies, bad);
    }

    private static async Task FloodTcpAsync(IPEndPoint server, Random random, List<byte[]> seeds)
    {
        var connections = Enumerable.Range(0, TcpConnections).Select(i => (Index: i, Seed: random.Next())).ToList();
        await Parallel.ForEachAsync(connections, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (connection, _) =>
        {
            var local = new Random(connection.Seed);
            using var client = new TcpClient();
            try
            {
                await client.ConnectAsync(server);
                var stream = client.GetStream();
                for (var m = 0; m < MessagesPerConnection; m++)
                {
                    var message = Mutate(local, seeds);
                    var frame = new byte[message.Length + 2];
                    // Mostly honest framing; sometimes a length that lies (longer or shorter than the data).
                    var length = local.Next(10) == 0 ? local.Next(0, 65536) : message.Length;
                    BinaryPrimitives.WriteUInt16BigEndian(frame, (ushort)length);
                    message.CopyTo(frame, 2);
                    await stream.WriteAsync(frame);
                }

                if (connection.Index % 3 == 0)
                {
                    // Leave some connections open and silent; the idle timeout must reclaim them.
                    await Task.Delay(50);
                }
            }
            catch (Exception e) when (e is SocketException or IOException)
            {
                // The server may close a connection it finds broken or over the cap; that is allowed.
            }
        });
    }
}
