using System.Buffers.Binary;

namespace Netstack.Api.Client;

/// <summary>
/// The engine's multiplexed stream for logs of a container without a TTY: frames of an 8-byte header
/// (byte 0 the stream: 1 stdout, 2 stderr; bytes 1-3 zero; bytes 4-7 the payload length, big-endian)
/// followed by the payload.
/// </summary>
public static class LogStream
{
    public const byte Stdout = 1;
    public const byte Stderr = 2;
    public const int HeaderLength = 8;

    public static void WriteHeader(Span<byte> header, byte stream, int length)
    {
        header[..HeaderLength].Clear();
        header[0] = stream;
        BinaryPrimitives.WriteUInt32BigEndian(header[4..], checked((uint)length));
    }

    public static async Task DemultiplexAsync(Stream source, Stream stdout, Stream stderr, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var header = new byte[HeaderLength];
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var read = await source.ReadAtLeastAsync(header, HeaderLength, throwOnEndOfStream: false, ct).ConfigureAwait(false);
            if (read == 0)
            {
                return;
            }
            if (read < HeaderLength)
            {
                throw new InvalidDataException($"log stream ended inside a frame header ({read} of {HeaderLength} bytes)");
            }
            var target = header[0] == Stderr ? stderr : stdout;
            var remaining = (long)BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4));
            while (remaining > 0)
            {
                var n = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, remaining)), ct).ConfigureAwait(false);
                if (n == 0)
                {
                    throw new InvalidDataException("log stream ended inside a frame");
                }
                await target.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
                remaining -= n;
            }
            await target.FlushAsync(ct).ConfigureAwait(false);
        }
    }
}
