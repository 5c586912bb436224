using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Netstack.Api.Contracts.Capture;
using Netstack.Api.Serialization;
using Netstack.Capture.Decoding;
using Netstack.Capture.Sessions;
using Netstack.Core;
using CaptureCountersContract = Netstack.Api.Contracts.Capture.CaptureCounters;

namespace Netstack.Daemon.Capture;

/// <summary>
/// Runs one capture for one HTTP request: checks the request (every bad value is a 400 naming its
/// field, before anything is opened), opens the session, and streams records until the count or the
/// duration is reached, every interface is gone, or the client goes away; the session is closed on
/// every path. Running captures are counted, so tests and <c>/info</c>-like checks can see that a
/// refused or abandoned capture left nothing behind.
/// </summary>
internal sealed class CaptureStreamer(CaptureTargets targets, ILogger<CaptureStreamer> logger)
{
    private const int MaxSnaplen = CaptureSettings.DefaultSnaplen;
    private int _running;

    /// <summary>Captures open right now.</summary>
    public int Running => Volatile.Read(ref _running);

    public static void Validate(CaptureRequest request)
    {
        if (request.Count is { } count && count < 1)
        {
            throw new InvalidParameterException("count", count.ToString(CultureInfo.InvariantCulture), "must be 1 or more (leave it out to capture until stopped)");
        }
        if (request.DurationSeconds is { } seconds && !(seconds > 0 && double.IsFinite(seconds)))
        {
            throw new InvalidParameterException("duration", seconds.ToString(CultureInfo.InvariantCulture), "must be more than 0 seconds");
        }
        if (request.Snaplen is { } snaplen && snaplen is < 1 or > MaxSnaplen)
        {
            throw new InvalidParameterException("snaplen", snaplen.ToString(CultureInfo.InvariantCulture), $"must be 1 to {MaxSnaplen} bytes");
        }
        if (!request.Decode && !request.Raw)
        {
            throw new InvalidParameterException("decode", "false", "ask for decoded packets, raw frames, or both");
        }
        if (!string.IsNullOrWhiteSpace(request.Filter) && !CaptureSession.TryCompileFilter(request.Filter, out var error))
        {
            throw new InvalidParameterException("filter", request.Filter, error ?? "it does not compile");
        }
    }

    public async Task RunAsync(HttpContext context, CaptureRequest request)
    {
        Validate(request);
        var aborted = context.RequestAborted;
        var plan = await targets.ResolveAsync(request.Target, aborted).ConfigureAwait(false);
        var names = await targets.NamesAsync(aborted).ConfigureAwait(false);
        var filter = (plan.BaseFilter, string.IsNullOrWhiteSpace(request.Filter) ? null : request.Filter) switch
        {
            (null, var user) => user,
            (var fixedPart, null) => fixedPart,
            (var fixedPart, var user) => $"({fixedPart}) and ({user})",
        };
        var settings = new CaptureSettings
        {
            Filter = filter,
            Snaplen = request.Snaplen ?? CaptureSettings.DefaultSnaplen,
            // Block mode (TPACKET_V3): frames packed by their size and read without a wake-up each.
            // The frames it once seemed to lose were kernel drops that SharpPcap's counters hid
            // (see PcapCounters); they are counted now.
            Immediate = false,
        };
        // Opening enters namespaces on threads of their own; the request thread only waits.
        var session = await Task.Run(() => CaptureSession.Open(plan.Points, settings), aborted).ConfigureAwait(false);
        Interlocked.Increment(ref _running);
        var sent = 0L;
        var reason = "client-gone";
        string? error = null;
        try
        {
            session.Start();
            CaptureLog.Started(logger, plan.Target, string.Join(", ", session.Interfaces.Select(i => i.Point.InterfaceName)));
            var response = context.Response;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = CaptureStreamFormat.ContentType;
            foreach (var i in session.Interfaces)
            {
                await WriteEventAsync(response, new CaptureEvent
                {
                    Type = CaptureEvent.InterfaceType,
                    Interface = new CaptureInterfaceInfo
                    {
                        Index = i.Index,
                        Name = i.Point.InterfaceName,
                        Role = i.Point.Role,
                        Namespace = i.Point.NamespacePath,
                        LinkType = i.LinkType,
                        Snaplen = i.Snaplen,
                    },
                }, aborted).ConfigureAwait(false);
            }
            await response.BodyWriter.FlushAsync(aborted).ConfigureAwait(false);

            using var limit = CancellationTokenSource.CreateLinkedTokenSource(aborted);
            if (request.DurationSeconds is { } seconds)
            {
                limit.CancelAfter(TimeSpan.FromSeconds(seconds));
            }
            var batches = session.Batches;
            try
            {
                while (request.Count is not { } count || sent < count)
                {
                    if (!batches.TryRead(out var batch))
                    {
                        // Nothing waiting: what was written goes to the client before we wait for more.
                        await response.BodyWriter.FlushAsync(aborted).ConfigureAwait(false);
                        if (!await batches.WaitToReadAsync(limit.Token).ConfigureAwait(false))
                        {
                            reason = "interface-gone";
                            break;
                        }
                        continue;
                    }
                    sent += await WriteBatchAsync(response, session, batch, Left(request, sent), request, names, aborted).ConfigureAwait(false);
                }
                if (request.Count is { } c && sent >= c)
                {
                    reason = "count";
                }
            }
            catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
            {
                reason = "duration";
            }
            if (reason == "duration")
            {
                // The frames the kernel delivered before the end go out too: the readers empty their
                // buffers, the channel completes, and the counters then match what was sent.
                session.Finish();
                while (await batches.WaitToReadAsync(aborted).ConfigureAwait(false))
                {
                    if (request.Count is { } count && sent >= count)
                    {
                        break;
                    }
                    if (batches.TryRead(out var batch))
                    {
                        sent += await WriteBatchAsync(response, session, batch, Left(request, sent), request, names, aborted).ConfigureAwait(false);
                    }
                }
            }
            var counters = session.Stop();
            await WriteEventAsync(response, new CaptureEvent
            {
                Type = CaptureEvent.EndType,
                End = new CaptureEnd
                {
                    Reason = reason,
                    Packets = sent,
                    Interfaces = counters.Select(k => new CaptureCountersContract
                    {
                        Index = k.Interface,
                        Name = session.Interfaces[k.Interface].Point.InterfaceName,
                        Received = k.Received,
                        Dropped = k.Dropped,
                        InterfaceDropped = k.InterfaceDropped,
                        Read = k.Read,
                    }).ToList(),
                },
            }, aborted).ConfigureAwait(false);
            await response.BodyWriter.FlushAsync(aborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException || aborted.IsCancellationRequested)
        {
            // The client went away: nothing to tell it; the finally below closes the capture.
            reason = "client-gone";
            error = e.Message;
        }
        finally
        {
            var counters = session.Stop();
            session.Dispose();
            Interlocked.Decrement(ref _running);
            CaptureLog.Ended(logger, plan.Target, error is null ? reason : $"{reason}: {error}", sent,
                string.Join(", ", counters.Select(k => $"{session.Interfaces[k.Interface].Point.InterfaceName} received {k.Received} dropped {k.Dropped} read {k.Read}")));
        }
    }

    private static async Task WriteEventAsync(HttpResponse response, CaptureEvent e, CancellationToken ct)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(e, CaptureJsonContext.Default.CaptureEvent);
        var writer = response.BodyWriter;
        CaptureStreamFormat.WriteHeader(writer.GetSpan(CaptureStreamFormat.HeaderLength), CaptureStreamFormat.EventKind, json.Length);
        writer.Advance(CaptureStreamFormat.HeaderLength);
        writer.Write(json);
        if (writer.UnflushedBytes > 64 * 1024)
        {
            await writer.FlushAsync(ct).ConfigureAwait(false);
        }
    }

    private static int Left(CaptureRequest request, long sent) =>
        request.Count is { } count ? (int)Math.Min(count - sent, int.MaxValue) : int.MaxValue;

    /// <summary>
    /// Sends at most <paramref name="limit"/> frames of <paramref name="batch"/> and gives it back to
    /// the pool: raw, as one batch record whose records go through as they are (the client appends
    /// them to its pcap file); decoded, as an event per frame.
    /// </summary>
    private static async Task<int> WriteBatchAsync(HttpResponse response, CaptureSession session, CaptureBatch batch, int limit, CaptureRequest request, CaptureNames names, CancellationToken ct)
    {
        var frames = Math.Min(batch.Count, limit);
        try
        {
            if (request.Raw)
            {
                var length = frames == batch.Count ? batch.Length : batch.LengthOf(frames);
                var writer = response.BodyWriter;
                var head = writer.GetSpan(CaptureStreamFormat.HeaderLength + CaptureStreamFormat.BatchHeaderLength);
                CaptureStreamFormat.WriteHeader(head, CaptureStreamFormat.BatchKind, CaptureStreamFormat.BatchHeaderLength + length);
                CaptureStreamFormat.WriteBatchHeader(head[CaptureStreamFormat.HeaderLength..], batch.Interface, frames);
                writer.Advance(CaptureStreamFormat.HeaderLength + CaptureStreamFormat.BatchHeaderLength);
                writer.Write(batch.Records[..length]);
                // Let the pipe push back when the client reads slowly (what makes the kernel buffer fill, and count).
                if (writer.UnflushedBytes > 64 * 1024)
                {
                    await writer.FlushAsync(ct).ConfigureAwait(false);
                }
            }
            if (request.Decode)
            {
                foreach (var packet in Decode(session, batch, frames, names))
                {
                    await WriteEventAsync(response, new CaptureEvent { Type = CaptureEvent.PacketType, Packet = packet }, ct).ConfigureAwait(false);
                }
            }
            return frames;
        }
        finally
        {
            batch.Release();
        }
    }

    private static List<CapturePacket> Decode(CaptureSession session, CaptureBatch batch, int frames, CaptureNames names)
    {
        var packets = new List<CapturePacket>(frames);
        var name = session.Interfaces[batch.Interface].Point.InterfaceName;
        foreach (var record in new PcapRecords(batch.Records))
        {
            if (packets.Count == frames)
            {
                break;
            }
            var data = record.Data.ToArray();
            var decoded = FrameDecoder.Decode(data, data.Length, record.WireLength, names);
            packets.Add(new CapturePacket
            {
                Interface = batch.Interface,
                InterfaceName = name,
                TimestampMicroseconds = record.TimestampMicroseconds,
                Length = record.WireLength,
                CapturedLength = data.Length,
                Summary = decoded.Summary,
                Malformed = decoded.Malformed,
                Layers = decoded.Layers.Select(l => new CaptureLayer { Protocol = l.Protocol, Fields = l.Fields, Malformed = l.Malformed }).ToList(),
            });
        }
        return packets;
    }
}
