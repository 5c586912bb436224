using System.Buffers.Binary;

namespace Netstack.Api.Contracts.Capture;

/// <summary>
/// Framing of a capture answer, as the engine frames logs: an 8-byte header (byte 0 the kind, bytes
/// 1-3 zero, bytes 4-7 the payload length, big-endian) and the payload. Kind 1 is a
/// <see cref="CaptureEvent"/> as UTF-8 JSON; kind 3 a batch of raw frames of one interface behind
/// an 8-byte batch header (interface index u16, zero u16, frame count u32; big-endian): the frames
/// as classic pcap records (<see cref="PcapRecords"/>), so a one-interface pcap file is the
/// records as they come. Binary frames keep a busy capture's bytes from being base64'd and parsed
/// as JSON; batches (hundreds of frames a record at full speed) keep the daemon's and the client's
/// work per frame to a copy. Kind 2 (one frame a record) is no longer sent.
/// </summary>
public static class CaptureStreamFormat
{
    public const string ContentType = "application/vnd.netstack.capture";
    public const byte EventKind = 1;
    public const byte BatchKind = 3;
    public const int HeaderLength = 8;
    public const int BatchHeaderLength = 8;

    /// <summary>Largest payload a reader accepts: a batch of records, or one snapshot length's worth of frame, with its header.</summary>
    public const int MaxPayload = 1024 * 1024;

    public static void WriteHeader(Span<byte> header, byte kind, int length)
    {
        header[..HeaderLength].Clear();
        header[0] = kind;
        BinaryPrimitives.WriteUInt32BigEndian(header[4..], checked((uint)length));
    }

    public static void WriteBatchHeader(Span<byte> header, int interfaceIndex, int frames)
    {
        BinaryPrimitives.WriteUInt16BigEndian(header, checked((ushort)interfaceIndex));
        BinaryPrimitives.WriteUInt16BigEndian(header[2..], 0);
        BinaryPrimitives.WriteUInt32BigEndian(header[4..], checked((uint)frames));
    }
}

/// <summary>A raw frame of a capture stream.</summary>
public sealed record CaptureFrame(int Interface, long TimestampMicroseconds, int WireLength, ReadOnlyMemory<byte> Data);

/// <summary>
/// A batch of raw frames of one interface from a capture stream: <see cref="Count"/> classic pcap
/// records in <see cref="Records"/>.
/// </summary>
public sealed record CaptureBatchRecord(int Interface, int Count, ReadOnlyMemory<byte> Records)
{
    /// <summary>The frames one by one, each copied out (for tests and small captures; a file writer takes <see cref="Records"/>).</summary>
    public IReadOnlyList<CaptureFrame> Frames()
    {
        var frames = new List<CaptureFrame>(Count);
        foreach (var r in new PcapRecords(Records.Span))
        {
            frames.Add(new CaptureFrame(Interface, r.TimestampMicroseconds, r.WireLength, r.Data.ToArray()));
        }
        return frames;
    }
}
