using System.Buffers;
using Netstack.Linux.Netlink.Wire;

namespace Netstack.Linux;

/// <summary>
/// An rtnetlink connection bound to one network namespace (the one it was opened in), usable from
/// any thread: requests on one handle are serialised by a lock. Every request asks for an ACK and a
/// kernel error becomes a <see cref="NetlinkException"/> naming the operation. Operations are named
/// object-then-verb (LinkAdd, AddrAdd, RouteReplace, NeighReplace, FdbAppend) and say which
/// iproute2 command they equal.
/// </summary>
public sealed partial class NetlinkHandle : IDisposable
{
    // One request rarely exceeds a few hundred bytes; dumps arrive in datagrams of at most 32 KiB.
    private const int SendBufferBytes = 64 * 1024;
    private const int ReceiveBufferBytes = 256 * 1024;
    private const int DumpRetries = 5;

    private readonly Netlink.NetlinkSocket _socket;
    private readonly Lock _lock = new();
    // The buffers are rented for the length of one request (under the lock) rather than owned:
    // the daemon keeps a handle open per sandbox, and 320 KiB of buffers each (the receive buffer
    // on the large object heap) were most of its memory with 150 containers.
    private int _sequence;
    private bool _disposed;

    private NetlinkHandle(Netlink.NetlinkSocket socket, NetworkNamespace? ns)
    {
        _socket = socket;
        Namespace = ns;
    }

    internal delegate void RequestBuilder(ref NetlinkWriter writer, uint sequence);

    internal delegate void ReplyHandler(in NetlinkMessage message);

    /// <summary>The namespace this handle works in; null when opened in the caller's own namespace.</summary>
    public NetworkNamespace? Namespace { get; }

    /// <summary>Opens a handle in the calling thread's network namespace (the host's, for the daemon).</summary>
    public static NetlinkHandle Open() => new(Netlink.NetlinkSocket.Open(), null);

    /// <summary>Opens a handle in <paramref name="ns"/>: the socket is created on a thread inside it.</summary>
    public static NetlinkHandle Open(NetworkNamespace ns)
    {
        ArgumentNullException.ThrowIfNull(ns);
        return new NetlinkHandle(ns.Run(() => Netlink.NetlinkSocket.Open()), ns);
    }

    /// <summary>Starts a batch: requests queued and sent together, acks read after (pipelined).</summary>
    public NetlinkBatch Batch() => new(this);

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _socket.Dispose();
        }
    }

    internal uint NextSequence() => unchecked((uint)Interlocked.Increment(ref _sequence));

    /// <summary>Sends one request and waits for its ACK, passing any reply messages to <paramref name="onReply"/>.</summary>
    internal void Execute(string operation, RequestBuilder build, ReplyHandler? onReply = null, string? hint = null)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var (send, receive) = RentBuffers();
            try
            {
                var sequence = NextSequence();
                var writer = new NetlinkWriter(send);
                build(ref writer, sequence);
                _socket.Send(writer.Written, operation);
                ReceiveUntilAck(receive, sequence, operation, onReply, hint);
            }
            finally
            {
                ReturnBuffers(send, receive);
            }
        }
    }

    /// <summary>Sends a dump request and passes every reply to <paramref name="onReply"/>; restarts an interrupted dump.</summary>
    internal void Dump(string operation, RequestBuilder build, ReplyHandler onReply, Action reset)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var (send, receive) = RentBuffers();
            try
            {
                for (var attempt = 0; ; attempt++)
                {
                    var sequence = NextSequence();
                    var writer = new NetlinkWriter(send);
                    build(ref writer, sequence);
                    _socket.Send(writer.Written, operation);
                    if (ReceiveDump(receive, sequence, operation, onReply) || attempt == DumpRetries)
                    {
                        return;
                    }
                    // NLM_F_DUMP_INTR: the table changed during the dump; start again from scratch.
                    reset();
                }
            }
            finally
            {
                ReturnBuffers(send, receive);
            }
        }
    }

    /// <summary>Sends pre-built chunks of requests and collects every ack; used by <see cref="NetlinkBatch"/>.</summary>
    internal List<NetlinkException> ExecuteBatch(List<(byte[] Buffer, int Length)> chunks, Dictionary<uint, string> operations)
    {
        var failures = new List<NetlinkException>();
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var receiveBuffer = ArrayPool<byte>.Shared.Rent(ReceiveBufferBytes);
            try
            {
                ReceiveBatchAcks(chunks, operations, receiveBuffer, failures);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(receiveBuffer);
            }
        }
        return failures;
    }

    private void ReceiveBatchAcks(List<(byte[] Buffer, int Length)> chunks, Dictionary<uint, string> operations, byte[] receiveBuffer, List<NetlinkException> failures)
    {
        var pending = new HashSet<uint>();
        var next = 0;
        var ordered = operations.Keys.Order().ToList();
        foreach (var (buffer, length) in chunks)
        {
            // The kernel handles every message of one send before returning, so all the acks of
            // this chunk are queued when Send returns; read them before sending the next chunk.
            var count = CountMessages(buffer.AsSpan(0, length));
            for (var i = 0; i < count; i++)
            {
                pending.Add(ordered[next++]);
            }
            _socket.Send(buffer.AsSpan(0, length), "netlink batch");
            while (pending.Count > 0)
            {
                var received = _socket.Receive(receiveBuffer, out var errno);
                if (received < 0)
                {
                    throw NetlinkException.Create($"netlink batch ({pending.Count} acks outstanding)", errno);
                }
                var reader = new NetlinkMessageReader(receiveBuffer.AsSpan(0, received));
                while (reader.TryRead(out var message))
                {
                    if (message.Type != Nl.NLMSG_ERROR || !pending.Remove(message.Sequence))
                    {
                        continue;
                    }
                    var code = message.ErrorCode;
                    if (code != 0)
                    {
                        failures.Add(NetlinkException.Create(operations[message.Sequence], (Errno)(-code), message.ExtendedAckMessage()));
                    }
                }
            }
        }
    }

    private static (byte[] Send, byte[] Receive) RentBuffers() =>
        (ArrayPool<byte>.Shared.Rent(SendBufferBytes), ArrayPool<byte>.Shared.Rent(ReceiveBufferBytes));

    private static void ReturnBuffers(byte[] send, byte[] receive)
    {
        ArrayPool<byte>.Shared.Return(send);
        ArrayPool<byte>.Shared.Return(receive);
    }

    private static int CountMessages(ReadOnlySpan<byte> data)
    {
        var count = 0;
        var reader = new NetlinkMessageReader(data);
        while (reader.TryRead(out _))
        {
            count++;
        }
        return count;
    }

    private void ReceiveUntilAck(byte[] receiveBuffer, uint sequence, string operation, ReplyHandler? onReply, string? hint)
    {
        while (true)
        {
            var received = _socket.Receive(receiveBuffer, out var errno);
            if (received < 0)
            {
                throw NetlinkException.Create(operation + " (recv)", errno);
            }
            var reader = new NetlinkMessageReader(receiveBuffer.AsSpan(0, received));
            while (reader.TryRead(out var message))
            {
                if (message.Sequence != sequence)
                {
                    continue; // a late answer to an earlier, abandoned request
                }
                if (message.Type == Nl.NLMSG_ERROR)
                {
                    var code = message.ErrorCode;
                    if (code == 0)
                    {
                        return;
                    }
                    throw NetlinkException.Create(operation, (Errno)(-code), message.ExtendedAckMessage(), hint?.Length > 0 ? hint : KindHint((Errno)(-code), operation));
                }
                onReply?.Invoke(message);
            }
        }
    }

    /// <summary>Returns false when the kernel flagged the dump as interrupted (NLM_F_DUMP_INTR).</summary>
    private bool ReceiveDump(byte[] receiveBuffer, uint sequence, string operation, ReplyHandler onReply)
    {
        var consistent = true;
        while (true)
        {
            var received = _socket.Receive(receiveBuffer, out var errno);
            if (received < 0)
            {
                throw NetlinkException.Create(operation + " (recv)", errno);
            }
            var reader = new NetlinkMessageReader(receiveBuffer.AsSpan(0, received));
            while (reader.TryRead(out var message))
            {
                if (message.Sequence != sequence)
                {
                    continue;
                }
                if ((message.Flags & Nl.NLM_F_DUMP_INTR) != 0)
                {
                    consistent = false;
                }
                if (message.Type == Nl.NLMSG_DONE)
                {
                    return consistent;
                }
                if (message.Type == Nl.NLMSG_ERROR)
                {
                    var code = message.ErrorCode;
                    if (code == 0)
                    {
                        return consistent;
                    }
                    throw NetlinkException.Create(operation, (Errno)(-code), message.ExtendedAckMessage());
                }
                onReply(message);
            }
        }
    }

    private static string? KindHint(Errno errno, string operation) =>
        errno == Errno.EOPNOTSUPP && operation.StartsWith("link add", StringComparison.Ordinal)
            ? "this kernel lacks the driver for that link kind (module not built or not loaded)"
            : null;
}
