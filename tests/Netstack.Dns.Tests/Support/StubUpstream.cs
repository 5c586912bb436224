using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Netstack.Dns.Wire;

namespace Netstack.Dns.Tests.Support;

/// <summary>
/// A programmable upstream DNS server on 127.0.0.1 (UDP and TCP on one random port) inside the test
/// process: the tests never query the machine's resolver.
/// </summary>
public sealed class StubUpstream : IAsyncDisposable
{
    private readonly Socket _udp;
    private readonly Socket _tcp;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _udpLoop;
    private readonly Task _tcpLoop;
    private int _udpQueries;
    private int _tcpQueries;

    public StubUpstream(Func<DnsMessage, bool, DnsMessage?> handler)
    {
        Handler = handler;
        (_udp, _tcp) = BindPair();
        _udpLoop = Task.Run(UdpLoopAsync);
        _tcpLoop = Task.Run(TcpLoopAsync);
    }

    /// <summary>Builds the reply to a query (second argument: over TCP); null sends nothing.</summary>
    public Func<DnsMessage, bool, DnsMessage?> Handler { get; set; }

    public IPEndPoint Endpoint => (IPEndPoint)_udp.LocalEndPoint!;

    public int UdpQueries => Volatile.Read(ref _udpQueries);

    public int TcpQueries => Volatile.Read(ref _tcpQueries);

    /// <summary>A handler answering every A query with <paramref name="address"/>.</summary>
    public static Func<DnsMessage, bool, DnsMessage?> Answering(string address, DnsResponseCode code = DnsResponseCode.NoError) => (query, _) =>
    {
        var reply = ReplyTo(query, code);
        if (code == DnsResponseCode.NoError)
        {
            reply.Answers.Add(DnsResourceRecord.Address(query.Questions[0].Name, IPAddress.Parse(address), 30));
        }

        return reply;
    };

    public static DnsMessage ReplyTo(DnsMessage query, DnsResponseCode code = DnsResponseCode.NoError)
    {
        var reply = new DnsMessage { Id = query.Id, IsResponse = true, RecursionDesired = query.RecursionDesired, RecursionAvailable = true, ResponseCode = code };
        reply.Questions.AddRange(query.Questions);
        return reply;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _udp.Dispose();
        _tcp.Dispose();
        await Task.WhenAll(_udpLoop, _tcpLoop).ContinueWith(_ => { }, TaskScheduler.Default);
        _stop.Dispose();
    }

    private static (Socket Udp, Socket Tcp) BindPair()
    {
        for (var attempt = 0; ; attempt++)
        {
            var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                tcp.Bind(udp.LocalEndPoint!);
                tcp.Listen(16);
                return (udp, tcp);
            }
            catch (SocketException) when (attempt < 20)
            {
                udp.Dispose();
                tcp.Dispose();
            }
        }
    }

    private async Task UdpLoopAsync()
    {
        var buffer = new byte[65536];
        var reply = new byte[65536];
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _udp.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            Interlocked.Increment(ref _udpQueries);
            var answer = Handler(DnsMessage.Parse(buffer.AsSpan(0, received.ReceivedBytes)), false);
            if (answer is not null)
            {
                var length = answer.Write(reply);
                await _udp.SendToAsync(reply.AsMemory(0, length), SocketFlags.None, received.RemoteEndPoint);
            }
        }
    }

    private async Task TcpLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await _tcp.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                using var _ = connection;
                using var stream = new NetworkStream(connection);
                var length = new byte[2];
                try
                {
                    while (true)
                    {
                        await stream.ReadExactlyAsync(length, _stop.Token);
                        var message = new byte[BinaryPrimitives.ReadUInt16BigEndian(length)];
                        await stream.ReadExactlyAsync(message, _stop.Token);
                        Interlocked.Increment(ref _tcpQueries);
                        var answer = Handler(DnsMessage.Parse(message), true);
                        if (answer is null)
                        {
                            continue;
                        }

                        var bytes = answer.ToArray();
                        var frame = new byte[bytes.Length + 2];
                        BinaryPrimitives.WriteUInt16BigEndian(frame, (ushort)bytes.Length);
                        bytes.CopyTo(frame, 2);
                        await stream.WriteAsync(frame, _stop.Token);
                    }
                }
                catch (Exception e) when (e is OperationCanceledException or EndOfStreamException or IOException or ObjectDisposedException)
                {
                }
            });
        }
    }
}
