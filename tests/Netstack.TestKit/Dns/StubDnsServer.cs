using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Net;
using Netstack.Dns.Wire;
using Netstack.Linux;

namespace Netstack.TestKit.Dns;

/// <summary>
/// A programmable DNS server for tests, on UDP and TCP of one endpoint: on 127.0.0.1 of the test
/// process (<see cref="OnLoopback"/>) or on port 53 of an address inside a test namespace, "the
/// internet" of a test (<see cref="InNamespace"/>). It never forwards anywhere, so tests never
/// query the machine's resolver. Counts what it receives, in total and by name.
/// </summary>
public sealed class StubDnsServer : IAsyncDisposable
{
    private readonly Socket _udp;
    private readonly Socket _tcp;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _udpLoop;
    private readonly Task _tcpLoop;
    private readonly ConcurrentDictionary<(string Name, bool OverTcp), int> _byName = new();
    private int _udpQueries;
    private int _tcpQueries;

    private StubDnsServer(Socket udp, Socket tcp, Func<DnsMessage, bool, DnsMessage?> handler)
    {
        Handler = handler;
        (_udp, _tcp) = (udp, tcp);
        _udpLoop = Task.Run(UdpLoopAsync);
        _tcpLoop = Task.Run(TcpLoopAsync);
    }

    /// <summary>Builds the reply to a query (second argument: over TCP); null sends nothing.</summary>
    public Func<DnsMessage, bool, DnsMessage?> Handler { get; set; }

    public IPEndPoint Endpoint => (IPEndPoint)_udp.LocalEndPoint!;

    public int UdpQueries => Volatile.Read(ref _udpQueries);

    public int TcpQueries => Volatile.Read(ref _tcpQueries);

    /// <summary>A server on 127.0.0.1, UDP and TCP on the same kernel-chosen port.</summary>
    public static StubDnsServer OnLoopback(Func<DnsMessage, bool, DnsMessage?> handler)
    {
        for (var attempt = 0; ; attempt++)
        {
            var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                // The UDP port may be taken for TCP by someone else: then try another.
                tcp.Bind(udp.LocalEndPoint!);
                tcp.Listen(16);
                return new StubDnsServer(udp, tcp, handler);
            }
            catch (SocketException) when (attempt < 20)
            {
                udp.Dispose();
                tcp.Dispose();
            }
        }
    }

    /// <summary>A server on <paramref name="address"/>:53 inside <paramref name="ns"/>.</summary>
    public static StubDnsServer InNamespace(NetworkNamespace ns, IPAddress address, Func<DnsMessage, bool, DnsMessage?> handler)
    {
        ArgumentNullException.ThrowIfNull(ns);
        var (udp, tcp) = ns.Run(() =>
        {
            var udp = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(address, 53));
            var tcp = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            tcp.Bind(new IPEndPoint(address, 53));
            tcp.Listen(16);
            return (udp, tcp);
        });
        return new StubDnsServer(udp, tcp, handler);
    }

    /// <summary>Queries received for <paramref name="name"/> (any case) over UDP or TCP.</summary>
    public int Queries(string name, bool overTcp) => _byName.GetValueOrDefault((name.ToLowerInvariant(), overTcp));

    /// <summary>A handler answering every query with an A record of <paramref name="address"/> (or with <paramref name="code"/>).</summary>
    public static Func<DnsMessage, bool, DnsMessage?> Answering(string address, DnsResponseCode code = DnsResponseCode.NoError) => (query, _) =>
    {
        var reply = ReplyTo(query, code);
        if (code == DnsResponseCode.NoError)
        {
            reply.Answers.Add(DnsResourceRecord.Address(query.Questions[0].Name, IPAddress.Parse(address), 30));
        }
        return reply;
    };

    /// <summary>An empty reply to <paramref name="query"/> with <paramref name="code"/>.</summary>
    public static DnsMessage ReplyTo(DnsMessage query, DnsResponseCode code = DnsResponseCode.NoError)
    {
        ArgumentNullException.ThrowIfNull(query);
        var reply = new DnsMessage { Id = query.Id, IsResponse = true, RecursionDesired = query.RecursionDesired, RecursionAvailable = true, ResponseCode = code };
        reply.Questions.AddRange(query.Questions);
        return reply;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _udp.Dispose();
        _tcp.Dispose();
        await Task.WhenAll(_udpLoop, _tcpLoop).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
        _stop.Dispose();
    }

    private void Count(DnsMessage query, bool overTcp)
    {
        Interlocked.Increment(ref overTcp ? ref _tcpQueries : ref _udpQueries);
        if (query.Questions.Count > 0)
        {
            _byName.AddOrUpdate((query.Questions[0].Name.ToLowerInvariant(), overTcp), 1, (_, n) => n + 1);
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
                received = await _udp.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), _stop.Token).ConfigureAwait(false);
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
                await _udp.SendToAsync(reply.AsMemory(0, length), SocketFlags.None, received.RemoteEndPoint).ConfigureAwait(false);
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
                connection = await _tcp.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            _ = Task.Run(() => ServeTcpAsync(connection));
        }
    }

    private async Task ServeTcpAsync(Socket connection)
    {
        using var owned = connection;
        using var stream = new NetworkStream(connection);
        var length = new byte[2];
        try
        {
            while (true)
            {
                // RFC 1035 4.2.2: each message over TCP has a two-byte length prefix.
                await stream.ReadExactlyAsync(length, _stop.Token).ConfigureAwait(false);
                var message = new byte[BinaryPrimitives.ReadUInt16BigEndian(length)];
                await stream.ReadExactlyAsync(message, _stop.Token).ConfigureAwait(false);
                var query = DnsMessage.Parse(message);
                Count(query, overTcp: true);
                var answer = Handler(query, true);
                if (answer is null)
                {
                    continue;
                }
                var bytes = answer.ToArray();
                var frame = new byte[bytes.Length + 2];
                BinaryPrimitives.WriteUInt16BigEndian(frame, (ushort)bytes.Length);
                bytes.CopyTo(frame, 2);
                await stream.WriteAsync(frame, _stop.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or EndOfStreamException or IOException or ObjectDisposedException or DnsFormatException)
        {
            // The client went away, the server stops, or the peer sent garbage: end this connection.
        }
    }
}
