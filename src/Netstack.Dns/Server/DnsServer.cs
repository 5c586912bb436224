using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Netstack.Dns.Resolver;
using Netstack.Dns.Upstream;
using Netstack.Dns.Wire;

namespace Netstack.Dns.Server;

/// <summary>
/// Serves an <see cref="EmbeddedResolver"/> on sockets it is given already bound (UDP) and
/// listening (TCP), so it does not care in which network namespace or on which port they were
/// opened. It owns them from <see cref="Start"/> on and closes them on dispose.
/// </summary>
public sealed class DnsServer : IAsyncDisposable
{
    private readonly EmbeddedResolver _resolver;
    private readonly Socket? _udp;
    private readonly Socket? _tcp;
    private readonly DnsServerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Socket, byte> _connections = new();
    private readonly List<Task> _loops = [];
    private int _tcpConnections;
    private int _disposed;

    public DnsServer(EmbeddedResolver resolver, Socket? udpSocket, Socket? tcpListener, DnsServerOptions? options = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(resolver);
        if (udpSocket is null && tcpListener is null)
        {
            throw new ArgumentException("give a UDP socket, a TCP listener or both", nameof(udpSocket));
        }

        if (udpSocket is { SocketType: not SocketType.Dgram })
        {
            throw new ArgumentException($"the UDP socket is a {udpSocket.SocketType} socket", nameof(udpSocket));
        }

        if (tcpListener is { SocketType: not SocketType.Stream })
        {
            throw new ArgumentException($"the TCP listener is a {tcpListener.SocketType} socket", nameof(tcpListener));
        }

        _options = options ?? new DnsServerOptions();
        _options.Validate();
        _resolver = resolver;
        _udp = udpSocket;
        _tcp = tcpListener;
        _time = timeProvider ?? TimeProvider.System;
        _logger = resolver.Logger;
    }

    public IPEndPoint? UdpEndpoint => _udp?.LocalEndPoint as IPEndPoint;

    public IPEndPoint? TcpEndpoint => _tcp?.LocalEndPoint as IPEndPoint;

    /// <summary>TCP connections being served now.</summary>
    public int TcpConnections => Volatile.Read(ref _tcpConnections);

    public void Start()
    {
        var token = _stopping.Token;
        if (_udp is not null)
        {
            for (var i = 0; i < _options.UdpReceiveLoops; i++)
            {
                var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                var thread = new Thread(() =>
                {
                    try
                    {
                        UdpLoop(_udp, token);
                    }
                    finally
                    {
                        done.SetResult();
                    }
                })
                {
                    IsBackground = true,
                    Name = $"dns udp {i}",
                };
                thread.Start();
                _loops.Add(done.Task);
            }
        }

        if (_tcp is not null)
        {
            _loops.Add(Task.Run(() => AcceptLoopAsync(_tcp, token), CancellationToken.None));
        }

        Log.Listening(_logger, _resolver.Options.SandboxId, UdpEndpoint?.ToString() ?? "-", TcpEndpoint?.ToString() ?? "-");
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _udp?.Dispose();
        _tcp?.Dispose();
        foreach (var connection in _connections.Keys)
        {
            connection.Dispose();
        }

        try
        {
            await Task.WhenAll(_loops).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stopping.Dispose();
    }

    // Blocking recvfrom/sendto on a dedicated thread per loop: a local answer then costs two system
    // calls and no hop through epoll and the thread pool, which is what bounds queries per second.
    // The UDP socket is only ever used synchronously (forwarded answers too), so it stays blocking.
    private void UdpLoop(Socket socket, CancellationToken cancellationToken)
    {
        // 64 KiB: the largest UDP payload, so no datagram is cut before the parser sees it. Both
        // buffers live on the pinned object heap: the blocking receive keeps its buffer pinned for
        // the loop's life, which on the ordinary heap pinned a region per loop that the GC could
        // neither compact nor give back (every sandbox runs its own loops), and pages the kernel
        // never writes stay untouched there.
        var buffer = GC.AllocateUninitializedArray<byte>(ushort.MaxValue + 1, pinned: true);
        var response = GC.AllocateUninitializedArray<byte>(DnsResponses.MaxUdpSize, pinned: true);
        var peer = new SocketAddress(socket.AddressFamily);
        while (!cancellationToken.IsCancellationRequested)
        {
            int received;
            try
            {
                received = socket.ReceiveFrom(buffer, SocketFlags.None, peer);
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    return;
                }

                // An ICMP error from an earlier send (the client went away) surfaces here; keep serving.
                Log.Malformed(_logger, "udp", e.SocketErrorCode.ToString());
                continue;
            }

            try
            {
                var disposition = _resolver.AnswerLocally(buffer.AsSpan(0, received), response, overTcp: false, out var length, out var parsed);
                if (disposition == DnsDisposition.Answer)
                {
                    socket.SendTo(response.AsSpan(0, length), SocketFlags.None, peer);
                }
                else if (disposition == DnsDisposition.Forward)
                {
                    // Off the receive loop: a slow upstream must not stall local answers.
                    var query = buffer.AsSpan(0, received).ToArray();
                    var client = new SocketAddress(peer.Family, peer.Size);
                    peer.Buffer.CopyTo(client.Buffer);
                    _ = ForwardUdpAsync(socket, query, parsed, client, cancellationToken);
                }
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                Log.Malformed(_logger, "udp", e.SocketErrorCode.ToString());
            }
#pragma warning disable CA1031 // one bad message must not end the loop; it is logged
            catch (Exception e)
#pragma warning restore CA1031
            {
                Log.HandlerFailed(_logger, e, _resolver.Options.SandboxId, "udp");
            }
        }
    }

    private async Task ForwardUdpAsync(Socket socket, byte[] query, DnsQuery parsed, SocketAddress client, CancellationToken cancellationToken)
    {
        var response = ArrayPool<byte>.Shared.Rent(DnsResponses.MaxTcpSize);
        try
        {
            var length = await _resolver.ForwardAsync(query, parsed, response, overTcp: false, cancellationToken).ConfigureAwait(false);
            if (length > 0)
            {
                socket.SendTo(response.AsSpan(0, length), SocketFlags.None, client);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
        catch (Exception e)
        {
            Log.HandlerFailed(_logger, e, _resolver.Options.SandboxId, "forwarded udp");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(response);
        }
    }

    private async Task AcceptLoopAsync(Socket listener, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await listener.AcceptAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e) when (!cancellationToken.IsCancellationRequested)
            {
                // EMFILE or a connection reset before accept: wait a moment so a full fd table does not spin.
                Log.TcpClosed(_logger, "accept", e.SocketErrorCode.ToString());
                await Task.Delay(TimeSpan.FromMilliseconds(50), _time, CancellationToken.None).ConfigureAwait(false);
                continue;
            }

            if (Interlocked.Increment(ref _tcpConnections) > _options.MaxTcpConnections)
            {
                Interlocked.Decrement(ref _tcpConnections);
                Log.TooManyTcpConnections(_logger, _options.MaxTcpConnections, _resolver.Options.SandboxId);
                connection.Dispose();
                continue;
            }

            _connections.TryAdd(connection, 0);
            _ = ServeConnectionAsync(connection, cancellationToken);
        }
    }

    private async Task ServeConnectionAsync(Socket connection, CancellationToken cancellationToken)
    {
        var client = connection.RemoteEndPoint?.ToString() ?? "?";
        var message = ArrayPool<byte>.Shared.Rent(DnsResponses.MaxTcpSize);
        var frame = ArrayPool<byte>.Shared.Rent(DnsResponses.MaxTcpSize + 2);
        var reason = "closed by client";
        try
        {
            connection.NoDelay = true;
            while (!cancellationToken.IsCancellationRequested)
            {
                int length;
                using (var idle = new CancellationTokenSource(_options.TcpIdleTimeout, _time))
                using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, idle.Token))
                {
                    try
                    {
                        // RFC 1035 4.2.2: two bytes of length, then the message. The idle timeout covers
                        // the whole message, so a client trickling bytes cannot hold the slot forever.
                        if (!await ReceiveOrEndAsync(connection, message.AsMemory(0, 2), linked.Token).ConfigureAwait(false))
                        {
                            return;
                        }

                        length = BinaryPrimitives.ReadUInt16BigEndian(message);
                        if (length == 0)
                        {
                            reason = "zero-length message";
                            return;
                        }

                        await UpstreamForwarder.ReceiveExactlyAsync(connection, message.AsMemory(0, length), linked.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (idle.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                    {
                        reason = $"idle for {_options.TcpIdleTimeout}";
                        return;
                    }
                }

                var answer = await _resolver.ResolveAsync(message.AsMemory(0, length), frame.AsMemory(2), overTcp: true, cancellationToken).ConfigureAwait(false);
                if (answer == 0)
                {
                    continue;
                }

                BinaryPrimitives.WriteUInt16BigEndian(frame, (ushort)answer);
                await connection.SendAsync(frame.AsMemory(0, answer + 2), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
            reason = "server stopping";
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            reason = e.Message;
        }
        catch (Exception e)
        {
            reason = "handler failed";
            Log.HandlerFailed(_logger, e, _resolver.Options.SandboxId, "tcp");
        }
        finally
        {
            Log.TcpClosed(_logger, client, reason);
            _connections.TryRemove(connection, out _);
            connection.Dispose();
            Interlocked.Decrement(ref _tcpConnections);
            ArrayPool<byte>.Shared.Return(message);
            ArrayPool<byte>.Shared.Return(frame);
        }
    }

    // Reads exactly buffer.Length bytes; false when the peer closed cleanly before the first byte.
    private static async ValueTask<bool> ReceiveOrEndAsync(Socket socket, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var first = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
        if (first == 0)
        {
            return false;
        }

        if (first < buffer.Length)
        {
            await UpstreamForwarder.ReceiveExactlyAsync(socket, buffer[first..], cancellationToken).ConfigureAwait(false);
        }

        return true;
    }
}
