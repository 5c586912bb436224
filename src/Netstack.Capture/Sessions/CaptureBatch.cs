using System.Buffers;
using System.Buffers.Binary;

namespace Netstack.Capture.Sessions;

/// <summary>
/// Frames of one interface as libpcap handed them over, one after another in a buffer rented from
/// the shared pool, each as a classic pcap record (pcap-savefile(5): a 16-byte little-endian header
/// of seconds, microseconds, captured length and wire length, then the captured bytes). So a
/// single-interface capture written to a file is these bytes as they are, and a busy capture moves
/// one batch (hundreds of frames) through the channel, the HTTP stream and the client at a time
/// instead of one object and one record per frame. <see cref="Release"/> gives the buffer back.
/// </summary>
public sealed class CaptureBatch
{
    /// <summary>The pcap record header: ts_sec, ts_usec, incl_len, orig_len (u32 each).</summary>
    public const int RecordHeaderLength = 16;

    private byte[] _buffer;

    internal CaptureBatch(int @interface, int capacity)
    {
        Interface = @interface;
        _buffer = ArrayPool<byte>.Shared.Rent(capacity);
    }

    public int Interface { get; }

    /// <summary>Frames in the batch.</summary>
    public int Count { get; private set; }

    /// <summary>Bytes of records in the batch.</summary>
    public int Length { get; private set; }

    /// <summary>The records, exactly as they go into a classic pcap file after its header.</summary>
    public ReadOnlySpan<byte> Records => _buffer.AsSpan(0, Length);

    /// <summary>Room left for a frame's bytes after its record header.</summary>
    internal int Room => _buffer.Length - Length - RecordHeaderLength;

    /// <summary>The buffer the records are in (the first <see cref="Length"/> bytes).</summary>
    internal byte[] Buffer => _buffer;

    /// <summary>Adds a record's header and returns the offset in <see cref="Buffer"/> where its <paramref name="captured"/> bytes go.</summary>
    internal int Add(long timestampMicroseconds, int captured, int wireLength)
    {
        WriteRecordHeader(_buffer.AsSpan(Length, RecordHeaderLength), timestampMicroseconds, captured, wireLength);
        var at = Length + RecordHeaderLength;
        Length = at + captured;
        Count++;
        return at;
    }

    /// <summary>Writes a classic pcap record header (little-endian, microsecond timestamps).</summary>
    public static void WriteRecordHeader(Span<byte> header, long timestampMicroseconds, int captured, int wireLength)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)(timestampMicroseconds / 1_000_000));
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], (uint)(timestampMicroseconds % 1_000_000));
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], (uint)captured);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], (uint)wireLength);
    }

    /// <summary>Bytes taken by the first <paramref name="frames"/> records (a count limit that ends inside a batch).</summary>
    public int LengthOf(int frames)
    {
        var offset = 0;
        for (var i = 0; i < frames && i < Count; i++)
        {
            offset += RecordHeaderLength + (int)BinaryPrimitives.ReadUInt32LittleEndian(_buffer.AsSpan(offset + 8));
        }
        return offset;
    }

    /// <summary>Gives the buffer back to the pool; the batch must not be used after this.</summary>
    public void Release()
    {
        var buffer = _buffer;
        _buffer = [];
        Length = 0;
        Count = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
