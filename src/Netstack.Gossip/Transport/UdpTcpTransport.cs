using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Netstack.Gossip.Wire;

namespace Netstack.Gossip.Transport;

/// <summary>
/// The real transport: one UDP socket and one TCP listener on the same address and port
/// (7946 by default). A TCP exchange is one frame per connection: length (u32, big-endian) then
/// the sealed envelope; the connection is closed after it. Replies travel on a new connection to
/// the address inside the message, so either side may be the one that connects.
/// Every socket (UDP, listener, outgoing TCP) comes from one factory, so a caller can make them
/// inside another network namespace (a socket stays in the namespace it was created in).
/// </summary>
public sealed class UdpTcpTransport : IGossipTransport
{
    // Larger than any UDP payload so oversized datagrams are seen (and counted) rather than truncated.
    private const int ReceiveBufferSize = 65536;
    private readonly Socket _udp;
    private readonly Socket _tcp;
    private readonly Func<AddressFamily, SocketType, ProtocolType, Socket> _createSocket;
    private readonly CancellationTokenSource _stop = new();
    private readonly ILogger _logger;
    private readonly TimeSpan _tcpTimeout;
    private readonly List<Task> _loops = [];
    private GossipReceiveHandler? _handler;

    private UdpTcpTransport(Socket udp, Socket tcp, IPEndPoint local, TimeSpan tcpTimeout, ILogger logger,
        Func<AddressFamily, SocketType, ProtocolType, Socket> createSocket)
    {
        _udp = udp;
        _tcp = tcp;
        _createSocket = createSocket;
        LocalEndpoint = local;
        _tcpTimeout = tcpTimeout;
        _logger = logger;
    }

    public IPEndPoint LocalEndpoint { get; }

    /// <summary>
    /// Binds UDP and TCP on <see cref="GossipOptions.BindAddress"/>:<see cref="GossipOptions.BindPort"/>
    /// (port 0 picks a free port usable by both). Advertises <see cref="GossipOptions.AdvertiseAddress"/>
    /// or else the bind address, which must then not be a wildcard.
    /// </summary>
    /// <param name="options">Addresses and the TCP timeout.</param>
    /// <param name="logger">Receive errors.</param>
    /// <param name="createSocket">Makes every socket (default: <c>new Socket(...)</c> in the caller's namespace).</param>
    public static UdpTcpTransport Bind(GossipOptions options, ILogger<UdpTcpTransport>? logger = null,
        Func<AddressFamily, SocketType, ProtocolType, Socket>? createSocket = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        createSocket ??= static (family, type, protocol) => new Socket(family, type, protocol);
        options.Validate();
        var advertise = options.AdvertiseAddress ?? options.BindAddress;
        if (advertise.Equals(IPAddress.Any) || advertise.Equals(IPAddress.IPv6Any))
        {
            throw new ArgumentException(
                $"{nameof(GossipOptions.AdvertiseAddress)} is required when binding to {options.BindAddress}: peers need a reachable address",
                nameof(options));
        }
        // With port 0 the kernel picks the TCP port; UDP then binds the same number. Retry a few
        // times in case another process holds that UDP port.
        for (var attempt = 0; ; attempt++)
        {
            var family = options.BindAddress.AddressFamily;
            var tcp = createSocket(family, SocketType.Stream, ProtocolType.Tcp);
            Socket? udp = null;
            try
            {
                tcp.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                tcp.Bind(new IPEndPoint(options.BindAddress, options.BindPort));
                tcp.Listen(128);
                var port = ((IPEndPoint)tcp.LocalEndPoint!).Port;
                udp = createSocket(family, SocketType.Dgram, ProtocolType.Udp);
                udp.Bind(new IPEndPoint(options.BindAddress, port));
                return new UdpTcpTransport(udp, tcp, new IPEndPoint(advertise, port), options.TcpTimeout,
                    (ILogger?)logger ?? NullLogger.Instance, createSocket);
            }
            catch (SocketException) when (options.BindPort == 0 && attempt < 10)
            {
                udp?.Dispose();
                tcp.Dispose();
            }
            catch
            {
                udp?.Dispose();
                tcp.Dispose();
                throw;
            }
        }
    }

    public void Start(GossipReceiveHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _handler = handler;
        _loops.Add(Task.Run(UdpLoopAsync));
        _loops.Add(Task.Run(AcceptLoopAsync));
    }

    public void SendPacket(IPEndPoint to, ReadOnlySpan<byte> packet)
    {
        try
        {
            _udp.SendTo(packet, SocketFlags.None, to);
        }
        catch (SocketException)
        {
            // Datagrams may be lost; an unreachable peer is the failure detector's business.
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public async Task<bool> SendStreamAsync(IPEndPoint to, ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
        cts.CancelAfter(_tcpTimeout);
        try
        {
            using var client = _createSocket(to.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            client.NoDelay = true;
            await client.ConnectAsync(to, cts.Token).ConfigureAwait(false);
            var header = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(header, (uint)frame.Length);
            await client.SendAsync(header, SocketFlags.None, cts.Token).ConfigureAwait(false);
            while (!frame.IsEmpty)
            {
                var sent = await client.SendAsync(frame, SocketFlags.None, cts.Token).ConfigureAwait(false);
                frame = frame[sent..];
            }
            client.Shutdown(SocketShutdown.Both);
            return true;
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            return false;
        }
    }

    private async Task UdpLoopAsync()
    {
        var buffer = new byte[ReceiveBufferSize];
        EndPoint any = new IPEndPoint(_udp.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var result = await _udp.ReceiveFromAsync(buffer, SocketFlags.None, any, _stop.Token).ConfigureAwait(false);
                _handler!(buffer.AsSpan(0, result.ReceivedBytes), (IPEndPoint)result.RemoteEndPoint, stream: false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex)
            {
                // ICMP port unreachable from an earlier send surfaces here on Linux; keep going.
                if (_stop.IsCancellationRequested)
                {
                    return;
                }
                Log.ReceiveFailed(_logger, LocalEndpoint, ex);
            }
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _tcp.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex)
            {
                Log.ReceiveFailed(_logger, LocalEndpoint, ex);
                continue;
            }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(Socket client)
    {
        using var _ = client;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        cts.CancelAfter(_tcpTimeout);
        byte[]? rented = null;
        try
        {
            var header = new byte[4];
            if (!await ReadExactlyAsync(client, header, cts.Token).ConfigureAwait(false))
            {
                return;
            }
            var length = BinaryPrimitives.ReadUInt32BigEndian(header);
            var from = (IPEndPoint)client.RemoteEndPoint!;
            if (length > WireFormat.MaxStreamFrame)
            {
                // Hand the node an oversized marker so it is counted, without reading the body.
                _handler!(new byte[WireFormat.MaxStreamFrame + 1], from, stream: true);
                return;
            }
            rented = ArrayPool<byte>.Shared.Rent((int)Math.Max(1, length));
            var body = rented.AsMemory(0, (int)length);
            if (!await ReadExactlyAsync(client, body, cts.Token).ConfigureAwait(false))
            {
                return;
            }
            _handler!(body.Span, from, stream: true);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static async Task<bool> ReadExactlyAsync(Socket socket, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (!buffer.IsEmpty)
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return false;
            }
            buffer = buffer[read..];
        }
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _udp.Dispose();
        _tcp.Dispose();
        try
        {
            await Task.WhenAll(_loops).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }
}
