using System.Buffers.Binary;

namespace Netstack.Api.Contracts.Capture;

/// <summary>
/// Framing of a capture answer, as the engine frames logs: an 8-byte header (byte 0 the kind, bytes
/// 1-3 zero, bytes 4-7 the payload length, big-endian) and the payload. Kind 1 is a
/// <see cref="CaptureEvent"/> as UTF-8 JSON; kind 2 a frame's bytes behind a 16-byte frame header
/// (interface index u16, zero u16, timestamp in microseconds u64, wire length u32; big-endian).
/// Binary frames keep a busy capture's bytes from being base64'd and parsed as JSON.
/// </summary>
public static class CaptureStreamFormat
{
    public const string ContentType = "application/vnd.netstack.capture";
    public const byte EventKind = 1;
    public const byte FrameKind = 2;
    public const int HeaderLength = 8;
    public const int FrameHeaderLength = 16;

    /// <summary>Largest payload a reader accepts: a snapshot length's worth of frame plus its header.</summary>
    public const int MaxPayload = 1024 * 1024;

    public static void WriteHeader(Span<byte> header, byte kind, int length)
    {
        header[..HeaderLength].Clear();
        header[0] = kind;
        BinaryPrimitives.WriteUInt32BigEndian(header[4..], checked((uint)length));
    }

    public static void WriteFrameHeader(Span<byte> header, int interfaceIndex, long timestampMicroseconds, int wireLength)
    {
        BinaryPrimitives.WriteUInt16BigEndian(header, checked((ushort)interfaceIndex));
        BinaryPrimitives.WriteUInt16BigEndian(header[2..], 0);
        BinaryPrimitives.WriteInt64BigEndian(header[4..], timestampMicroseconds);
        BinaryPrimitives.WriteUInt32BigEndian(header[12..], checked((uint)wireLength));
    }
}

/// <summary>A raw frame of a capture stream.</summary>
public sealed record CaptureFrame(int Interface, long TimestampMicroseconds, int WireLength, ReadOnlyMemory<byte> Data);
