using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Netstack.Dns.Wire;
using Netstack.Linux;

namespace Netstack.Privileged.Tests.Dns;

/// <summary>
/// A stub upstream DNS server listening on UDP and TCP port 53 of an address inside a test
/// namespace ("the internet" of the test); it never forwards anywhere.
/// </summary>
internal sealed class NamespaceStubUpstream : IAsyncDisposable
{
    private readonly Socket _udp;
    private readonly Socket _tcp;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _udpLoop;
    private readonly Task _tcpLoop;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Name, bool OverTcp), int> _byName = new();

    public NamespaceStubUpstream(NetworkNamespace ns, IPAddress address, Func<DnsMessage, bool, DnsMessage?> handler)
    {
        Handler = handler;
        (_udp, _tcp) = ns.Run(() =>
        {
            var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(address, 53));
            var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            tcp.Bind(new IPEndPoint(address, 53));
            tcp.Listen(16);
            return (udp, tcp);
        });
        _udpLoop = Task.Run(UdpLoopAsync);
        _tcpLoop = Task.Run(TcpLoopAsync);
    }

    public Func<DnsMessage, bool, DnsMessage?> Handler { get; set; }

    /// <summary>Queries received for <paramref name="name"/> (any case) over UDP or TCP.</summary>
    public int Queries(string name, bool overTcp) => _byName.GetValueOrDefault((name.ToLowerInvariant(), overTcp));

    private void Count(DnsMessage query, bool overTcp)
    {
        if (query.Questions.Count > 0)
        {
            _byName.AddOrUpdate((query.Questions[0].Name.ToLowerInvariant(), overTcp), 1, (_, n) => n + 1);
        }
    }

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

            if (!DnsMessage.TryParse(buffer.AsSpan(0, received.ReceivedBytes), out var query, out _))
            {
                continue;
            }

            Count(query!, overTcp: false);

            var answer = Handler(query!, false);
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
                        var parsed = DnsMessage.Parse(message);
                        Count(parsed, overTcp: true);
                        var answer = Handler(parsed, true);
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
                catch (Exception e) when (e is OperationCanceledException or EndOfStreamException or IOException or ObjectDisposedException or DnsFormatException)
                {
                }
            });
        }
    }
}
