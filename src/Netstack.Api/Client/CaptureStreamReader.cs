using System.Buffers.Binary;
using System.Text.Json;
using Netstack.Api.Client.Http;
using Netstack.Api.Contracts.Capture;
using Netstack.Api.Serialization;

namespace Netstack.Api.Client;

/// <summary>
/// Reads a capture answer record by record. Disposing closes the connection, which is how the
/// daemon learns to stop capturing; cancelling the token given to <see cref="ApiClient.CaptureAsync"/>
/// disposes it too, so Ctrl-C ends a read blocked on a quiet interface.
/// </summary>
public sealed class CaptureStreamReader : IDisposable
{
    private readonly HttpResponse _response;
    private readonly Stream _body;
    private readonly byte[] _header = new byte[CaptureStreamFormat.HeaderLength];
    private readonly CancellationTokenRegistration _registration;
    private int _disposed;

    internal CaptureStreamReader(HttpResponse response, CancellationToken ct)
    {
        _response = response;
        _body = response.OpenBody();
        _registration = ct.Register(Dispose);
    }

    /// <summary>The next record: a <see cref="CaptureEvent"/> or a <see cref="CaptureFrame"/>; null at the end of the stream.</summary>
    public async Task<object?> ReadAsync(CancellationToken ct = default)
    {
        var read = await _body.ReadAtLeastAsync(_header, _header.Length, throwOnEndOfStream: false, ct).ConfigureAwait(false);
        if (read == 0)
        {
            return null;
        }
        if (read < _header.Length)
        {
            throw new InvalidDataException($"capture stream ended inside a record header ({read} of {_header.Length} bytes)");
        }
        var length = BinaryPrimitives.ReadUInt32BigEndian(_header.AsSpan(4));
        if (length > CaptureStreamFormat.MaxPayload)
        {
            throw new InvalidDataException($"capture stream record of {length} bytes is larger than {CaptureStreamFormat.MaxPayload}");
        }
        var payload = new byte[length];
        await _body.ReadExactlyAsync(payload, ct).ConfigureAwait(false);
        switch (_header[0])
        {
            case CaptureStreamFormat.EventKind:
                return JsonSerializer.Deserialize(payload, CaptureJsonContext.Default.CaptureEvent)
                    ?? throw new InvalidDataException("capture stream carried a null event");
            case CaptureStreamFormat.FrameKind:
                if (payload.Length < CaptureStreamFormat.FrameHeaderLength)
                {
                    throw new InvalidDataException($"capture frame record of {payload.Length} bytes has no frame header");
                }
                return new CaptureFrame(
                    BinaryPrimitives.ReadUInt16BigEndian(payload),
                    BinaryPrimitives.ReadInt64BigEndian(payload.AsSpan(4)),
                    (int)BinaryPrimitives.ReadUInt32BigEndian(payload.AsSpan(12)),
                    payload.AsMemory(CaptureStreamFormat.FrameHeaderLength));
            default:
                throw new InvalidDataException($"capture stream record of unknown kind {_header[0]}");
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _registration.Dispose();
            _response.Dispose();
        }
    }
}
