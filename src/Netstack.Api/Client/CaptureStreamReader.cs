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
    private byte[] _payload = new byte[64 * 1024];
    private readonly CancellationTokenRegistration _registration;
    private int _disposed;

    internal CaptureStreamReader(HttpResponse response, CancellationToken ct)
    {
        _response = response;
        _body = response.OpenBody();
        _registration = ct.Register(Dispose);
    }

    /// <summary>
    /// The next record: a <see cref="CaptureEvent"/> or a <see cref="CaptureBatchRecord"/>; null at
    /// the end of the stream. A batch's records are valid until the next call (the reader reuses its
    /// buffer); <see cref="CaptureBatchRecord.Frames"/> copies them out.
    /// </summary>
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
        // One buffer for every record (a busy capture's batches are hundreds of KiB each: a new
        // array per record would be a large-object allocation each time).
        if (_payload.Length < length)
        {
            _payload = new byte[Math.Max(length, Math.Min(2 * _payload.Length, CaptureStreamFormat.MaxPayload))];
        }
        var payload = _payload.AsMemory(0, (int)length);
        await _body.ReadExactlyAsync(payload, ct).ConfigureAwait(false);
        switch (_header[0])
        {
            case CaptureStreamFormat.EventKind:
                return JsonSerializer.Deserialize(payload.Span, CaptureJsonContext.Default.CaptureEvent)
                    ?? throw new InvalidDataException("capture stream carried a null event");
            case CaptureStreamFormat.BatchKind:
                return Batch(payload);
            default:
                throw new InvalidDataException($"capture stream record of unknown kind {_header[0]}");
        }
    }

    private static CaptureBatchRecord Batch(ReadOnlyMemory<byte> payload)
    {
        if (payload.Length < CaptureStreamFormat.BatchHeaderLength)
        {
            throw new InvalidDataException($"capture batch record of {payload.Length} bytes has no batch header");
        }
        var count = BinaryPrimitives.ReadUInt32BigEndian(payload.Span[4..]);
        var records = payload[CaptureStreamFormat.BatchHeaderLength..];
        // The records must be whole and as many as the header says: a file is written from them as they are.
        var walk = new PcapRecords(records.Span).GetEnumerator();
        var seen = 0u;
        while (walk.MoveNext())
        {
            seen++;
        }
        if (walk.Truncated || seen != count)
        {
            throw new InvalidDataException($"capture batch record says {count} frames but holds {seen}{(walk.Truncated ? " and a cut one" : "")}");
        }
        return new CaptureBatchRecord(BinaryPrimitives.ReadUInt16BigEndian(payload.Span), (int)count, records);
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
