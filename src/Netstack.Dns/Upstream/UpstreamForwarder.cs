using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Netstack.Dns.Resolver;
using Netstack.Dns.Wire;

namespace Netstack.Dns.Upstream;

/// <summary>
/// Sends a query to the upstream servers in order: UDP first, TCP again to the same server when
/// the answer is truncated, the next server on timeout, socket error, malformed answer, SERVFAIL
/// or REFUSED; SERVFAIL to the client when every server failed.
/// </summary>
internal sealed class UpstreamForwarder
{
    private readonly IReadOnlyList<IPEndPoint> _servers;
    private readonly TimeSpan _timeout;
    private readonly IUpstreamSocketFactory _sockets;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public UpstreamForwarder(IReadOnlyList<IPEndPoint> servers, TimeSpan timeout, IUpstreamSocketFactory sockets, TimeProvider time, ILogger logger)
    {
        _servers = servers;
        _timeout = timeout;
        _sockets = sockets;
        _time = time;
        _logger = logger;
    }

    public bool HasServers => _servers.Count > 0;

    public async ValueTask<int> ForwardAsync(ReadOnlyMemory<byte> query, DnsQuery parsed, Memory<byte> response, bool overTcp, CancellationToken cancellationToken)
    {
        var maxLength = DnsResponses.MaxResponseSize(parsed, overTcp);
        var upstreamQuery = ArrayPool<byte>.Shared.Rent(query.Length);
        var answer = ArrayPool<byte>.Shared.Rent(DnsResponses.MaxTcpSize);
        try
        {
            query.Span.CopyTo(upstreamQuery);
            var outgoing = upstreamQuery.AsMemory(0, query.Length);
            foreach (var server in _servers)
            {
                // A fresh random ID per server (and a fresh socket, so a fresh source port) makes a
                // forged answer hard to slip in (RFC 5452 9.2).
                var id = (ushort)RandomNumberGenerator.GetInt32(ushort.MaxValue + 1);
                BinaryPrimitives.WriteUInt16BigEndian(outgoing.Span, id);
                try
                {
                    var length = await ExchangeAsync(server, outgoing, answer, id, parsed, cancellationToken).ConfigureAwait(false);
                    var code = (DnsResponseCode)(answer[3] & 0xF);
                    if (code is DnsResponseCode.ServerFailure or DnsResponseCode.Refused)
                    {
                        Log.UpstreamRefused(_logger, parsed.Name, server, code);
                        continue;
                    }

                    if (length > maxLength)
                    {
                        return DnsResponses.WriteTruncated(query.Span, parsed, answer, response.Span);
                    }

                    answer.AsSpan(0, length).CopyTo(response.Span);
                    BinaryPrimitives.WriteUInt16BigEndian(response.Span, parsed.Header.Id);
                    return length;
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    Log.UpstreamTimeout(_logger, parsed.Name, server, _timeout);
                }
                catch (SocketException e)
                {
                    Log.UpstreamSocketError(_logger, parsed.Name, server, e.SocketErrorCode);
                }
                catch (DnsFormatException e)
                {
                    Log.UpstreamMalformed(_logger, parsed.Name, server, e.Message);
                }
                catch (IOException e)
                {
                    Log.UpstreamSocketError(_logger, parsed.Name, server, (e.InnerException as SocketException)?.SocketErrorCode ?? SocketError.SocketError);
                }
            }

            Log.AllUpstreamsFailed(_logger, parsed.Name, _servers.Count);
            return DnsResponses.WriteError(query.Span, parsed, DnsResponseCode.ServerFailure, response.Span);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(answer);
            ArrayPool<byte>.Shared.Return(upstreamQuery);
        }
    }

    private async ValueTask<int> ExchangeAsync(IPEndPoint server, ReadOnlyMemory<byte> query, byte[] answer, ushort id, DnsQuery parsed, CancellationToken cancellationToken)
    {
        using (var timeout = new CancellationTokenSource(_timeout, _time))
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token))
        {
            var length = await ExchangeUdpAsync(server, query, answer, id, parsed, linked.Token).ConfigureAwait(false);
            if ((answer[2] & 0x02) == 0)
            {
                return length;
            }

            Log.UpstreamTruncated(_logger, parsed.Name, server);
        }

        using (var timeout = new CancellationTokenSource(_timeout, _time))
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token))
        {
            return await ExchangeTcpAsync(server, query, answer, id, parsed, linked.Token).ConfigureAwait(false);
        }
    }

    private async ValueTask<int> ExchangeUdpAsync(IPEndPoint server, ReadOnlyMemory<byte> query, byte[] answer, ushort id, DnsQuery parsed, CancellationToken cancellationToken)
    {
        using var socket = _sockets.Create(server, SocketType.Dgram, ProtocolType.Udp);
        // Connected: the kernel drops datagrams from any other address and reports ICMP port unreachable.
        await socket.ConnectAsync(server, cancellationToken).ConfigureAwait(false);
        await socket.SendAsync(query, SocketFlags.None, cancellationToken).ConfigureAwait(false);
        while (true)
        {
            var length = await socket.ReceiveAsync(answer.AsMemory(), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (IsAnswerTo(answer.AsSpan(0, length), id, parsed))
            {
                return length;
            }

            // Not ours (stale or forged): keep waiting until the timeout.
        }
    }

    private async ValueTask<int> ExchangeTcpAsync(IPEndPoint server, ReadOnlyMemory<byte> query, byte[] answer, ushort id, DnsQuery parsed, CancellationToken cancellationToken)
    {
        using var socket = _sockets.Create(server, SocketType.Stream, ProtocolType.Tcp);
        socket.NoDelay = true;
        await socket.ConnectAsync(server, cancellationToken).ConfigureAwait(false);
        var frame = ArrayPool<byte>.Shared.Rent(query.Length + 2);
        try
        {
            // RFC 1035 4.2.2: each message is preceded by its length in two bytes.
            BinaryPrimitives.WriteUInt16BigEndian(frame, (ushort)query.Length);
            query.Span.CopyTo(frame.AsSpan(2));
            await socket.SendAsync(frame.AsMemory(0, query.Length + 2), SocketFlags.None, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(frame);
        }

        await ReceiveExactlyAsync(socket, answer.AsMemory(0, 2), cancellationToken).ConfigureAwait(false);
        var length = BinaryPrimitives.ReadUInt16BigEndian(answer);
        await ReceiveExactlyAsync(socket, answer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
        if (!IsAnswerTo(answer.AsSpan(0, length), id, parsed) || (answer[2] & 0x02) != 0)
        {
            throw new DnsFormatException(DnsFormatError.BadRecordData, -1, $"TCP answer from {server} does not answer query {id} for '{parsed.Name}' or is still truncated");
        }

        return length;
    }

    internal static async ValueTask ReceiveExactlyAsync(Socket socket, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var received = 0;
        while (received < buffer.Length)
        {
            var n = await socket.ReceiveAsync(buffer[received..], SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                throw new IOException($"connection closed after {received} of {buffer.Length} bytes");
            }

            received += n;
        }
    }

    private static bool IsAnswerTo(ReadOnlySpan<byte> answer, ushort id, DnsQuery parsed)
    {
        if (answer.Length < DnsHeader.Size || BinaryPrimitives.ReadUInt16BigEndian(answer) != id || (answer[2] & 0x80) == 0)
        {
            return false;
        }

        if ((answer[2] & 0x02) != 0)
        {
            // Truncated: it may be cut mid-record; only the retry over TCP is parsed.
            return true;
        }

        // Strict parse: a malformed answer must not reach the client. Throws DnsFormatException.
        var reply = DnsQuery.Parse(answer);
        return reply.Header.QuestionCount == 1
            && reply.Type == parsed.Type
            && reply.Class == parsed.Class
            && string.Equals(reply.Name, parsed.Name, StringComparison.OrdinalIgnoreCase);
    }
}
