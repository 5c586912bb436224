using System.Net;
using System.Net.Sockets;

namespace Netstack.Upstream.Udp;

/// <summary>
/// One request and its answer over UDP: sent to the server, retransmitted by the
/// <see cref="RetryPolicy"/>, answered by the first datagram from the server's address and port
/// that <c>accept</c> takes. Datagrams from anyone else, and ones <c>accept</c> refuses, are
/// counted and dropped (a spoofed or garbled reply must not end the wait, nor be believed).
/// </summary>
internal static class UdpExchange
{
    /// <summary>
    /// <see cref="SendAsync{T}(IPEndPoint, ReadOnlyMemory{byte}, RetryPolicy, Func{ReadOnlyMemory{byte}, T}, IPAddress?, CancellationToken)"/>
    /// for a protocol client: a network that cannot carry the exchange (no route, link down) is that
    /// protocol's time-out, naming the server.
    /// </summary>
    public static async Task<(T? Value, int Dropped)> SendAsync<T>(
        UpstreamProtocol protocol, IPEndPoint server, ReadOnlyMemory<byte> request, RetryPolicy retry, Func<ReadOnlyMemory<byte>, T?> accept, IPAddress? localAddress, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            return await SendAsync(server, request, retry, accept, localAddress, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            throw new PortMappingException(protocol, PortMappingFailure.Timeout, $"cannot reach {server}: {e.Message}", e);
        }
    }

    /// <summary>PCP's maximum message size (RFC 6887 section 7); NAT-PMP's are smaller.</summary>
    public const int MaxDatagram = 1100;

    /// <returns>The accepted answer; null after the last attempt's wait, with the count of datagrams dropped.</returns>
    public static async Task<(T? Value, int Dropped)> SendAsync<T>(
        IPEndPoint server, ReadOnlyMemory<byte> request, RetryPolicy retry, Func<ReadOnlyMemory<byte>, T?> accept, IPAddress? localAddress, CancellationToken cancellationToken)
        where T : class
    {
        using var socket = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(localAddress ?? (server.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any), 0));
        // One byte more than the maximum: a datagram that fills it was larger than any valid answer.
        var buffer = new byte[MaxDatagram + 1];
        var dropped = 0;
        var wait = retry.InitialWait;
        for (var attempt = 0; attempt < retry.Attempts; attempt++)
        {
            await socket.SendToAsync(request, SocketFlags.None, server, cancellationToken).ConfigureAwait(false);
            using var attemptTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attemptTimeout.CancelAfter(wait);
            try
            {
                while (true)
                {
                    var received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(server.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0), attemptTimeout.Token).ConfigureAwait(false);
                    var from = (IPEndPoint)received.RemoteEndPoint;
                    if (!from.Equals(server) || received.ReceivedBytes > MaxDatagram)
                    {
                        dropped++;
                        continue;
                    }
                    if (accept(buffer.AsMemory(0, received.ReceivedBytes)) is { } value)
                    {
                        return (value, dropped);
                    }
                    dropped++;
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // This attempt's wait is over: send again with a doubled wait.
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionRefused)
            {
                // ICMP port unreachable from the gateway: nothing listens there. Waiting longer changes nothing.
                return (null, dropped);
            }
            wait *= 2;
        }
        return (null, dropped);
    }
}
