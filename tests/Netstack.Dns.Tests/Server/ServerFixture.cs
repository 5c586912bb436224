using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Netstack.Dns.Resolver;
using Netstack.Dns.Server;
using Netstack.Dns.Tests.Resolver;
using Netstack.Dns.Wire;

namespace Netstack.Dns.Tests.Server;

internal static class ServerFixture
{
    public static DnsServer Start(DnsServerOptions? options = null, TimeProvider? time = null, IPEndPoint[]? upstreams = null)
    {
        var resolver = new EmbeddedResolver(
            new EmbeddedResolverOptions { SandboxId = ResolverFixture.SandboxA, UpstreamServers = upstreams ?? [] },
            ResolverFixture.NameTable(),
            timeProvider: time);
        var (udp, tcp) = DnsListenSockets.Open(IPAddress.Loopback, 0, 0);
        var server = new DnsServer(resolver, udp, tcp, options, time);
        server.Start();
        return server;
    }

    public static async Task<DnsMessage> AskUdpAsync(IPEndPoint server, byte[] query, int attempts = 5)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Connect(server);
        var buffer = new byte[65536];
        for (var attempt = 1; ; attempt++)
        {
            await socket.SendAsync(query, SocketFlags.None);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                var length = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
                return DnsMessage.Parse(buffer.AsSpan(0, length));
            }
            catch (OperationCanceledException) when (attempt < attempts)
            {
                // UDP may drop under a flood; ask again like a stub resolver would.
            }
        }
    }

    public static byte[] Frame(byte[] message)
    {
        var frame = new byte[message.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(frame, (ushort)message.Length);
        message.CopyTo(frame, 2);
        return frame;
    }

    public static async Task<DnsMessage> ReadFrameAsync(NetworkStream stream)
    {
        var length = new byte[2];
        await stream.ReadExactlyAsync(length).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        var message = new byte[BinaryPrimitives.ReadUInt16BigEndian(length)];
        await stream.ReadExactlyAsync(message).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        return DnsMessage.Parse(message);
    }
}
