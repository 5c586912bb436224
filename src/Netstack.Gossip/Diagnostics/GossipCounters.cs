namespace Netstack.Gossip.Diagnostics;

/// <summary>Traffic and error counters of one node (thread-safe, monotonic).</summary>
public sealed class GossipCounters
{
    private long _packetsSent;
    private long _bytesSent;
    private long _packetsReceived;
    private long _bytesReceived;
    private long _streamsSent;
    private long _streamsReceived;
    private long _droppedDecrypt;
    private long _droppedMalformed;
    private long _droppedOversized;

    public long PacketsSent => Interlocked.Read(ref _packetsSent);

    /// <summary>UDP and TCP payload bytes sent (envelope included).</summary>
    public long BytesSent => Interlocked.Read(ref _bytesSent);

    public long PacketsReceived => Interlocked.Read(ref _packetsReceived);

    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    public long StreamsSent => Interlocked.Read(ref _streamsSent);

    public long StreamsReceived => Interlocked.Read(ref _streamsReceived);

    /// <summary>Packets dropped because no installed key opened them (or sealing did not match).</summary>
    public long DroppedDecrypt => Interlocked.Read(ref _droppedDecrypt);

    /// <summary>Packets (or the rest of a compound packet) dropped because they did not parse.</summary>
    public long DroppedMalformed => Interlocked.Read(ref _droppedMalformed);

    /// <summary>Packets dropped because they exceeded the size limit.</summary>
    public long DroppedOversized => Interlocked.Read(ref _droppedOversized);

    public long Dropped => DroppedDecrypt + DroppedMalformed + DroppedOversized;

    internal void Sent(int bytes, bool stream)
    {
        Interlocked.Increment(ref stream ? ref _streamsSent : ref _packetsSent);
        Interlocked.Add(ref _bytesSent, bytes);
    }

    internal void Received(int bytes, bool stream)
    {
        Interlocked.Increment(ref stream ? ref _streamsReceived : ref _packetsReceived);
        Interlocked.Add(ref _bytesReceived, bytes);
    }

    internal void DecryptFailed() => Interlocked.Increment(ref _droppedDecrypt);

    internal void Malformed() => Interlocked.Increment(ref _droppedMalformed);

    internal void Oversized() => Interlocked.Increment(ref _droppedOversized);
}
