using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Connections;

namespace Netstack.Daemon.Http;

/// <summary>
/// Lets the docker CLI's hijacked <c>POST /exec/{id}/start</c> be upgraded. The CLI sends that
/// request with <c>Connection: Upgrade</c>, <c>Upgrade: tcp</c> and a small JSON body, and wants
/// <c>101 Switching Protocols</c>; Kestrel serves an upgrade request that has a body as a plain
/// request (it cannot be upgraded), so the 101 is impossible. This connection middleware looks at
/// the first request of each connection (the CLI opens a fresh one for every hijack): when it is
/// such an upgrade request to an exec start, the body is dropped with its Content-Length header
/// before Kestrel parses it. The body only repeats what the exec instance already knows (Tty) or
/// cannot apply to a hijack (Detach is false there). Every other connection passes untouched.
/// <para>
/// It also keeps the client's half-close of a hijacked connection from ending the exchange (issue
/// 18's empty <c>docker exec</c>). The CLI sends its FIN as soon as it has read the 101 and has no
/// stdin to send. Kestrel's socket transport takes a FIN for the end of the connection: it fires
/// <see cref="ConnectionContext.ConnectionClosed"/>, on which Kestrel aborts the response output,
/// and whatever the handler writes after that is dropped without an error, so the CLI read an
/// empty stream and then an exit code. Kestrel here sees a <see cref="HijackConnection"/> whose
/// ConnectionClosed passes the transport's on only while the connection is not a hijack; on a
/// hijack the FIN reaches the handler as the end of its input (stdin's EOF), and the exchange
/// ends when the handler has written everything and returns.
/// </para>
/// </summary>
internal static class HijackRequestRewriter
{
    // A request head bigger than this is not one the CLI sends for an exec start: pass it on.
    private const int MaxHead = 16 * 1024;

    private static readonly byte[] HeadEnd = "\r\n\r\n"u8.ToArray();

    public static ConnectionDelegate Wrap(ConnectionDelegate next) => async connection =>
    {
        var original = connection.Transport;
        var pipe = new Pipe();
        // Not linked to ConnectionClosed: the socket transport signals that as soon as the client's
        // FIN arrives, which for a half-closed hijack is long before the exchange is over.
        using var done = new CancellationTokenSource();
        await using var hijack = new HijackConnection(connection, new DuplexPipe(pipe.Reader, original.Output));
        var pump = PumpAsync(original.Input, pipe.Writer, hijack, done.Token);
        try
        {
            await next(hijack).ConfigureAwait(false);
        }
        finally
        {
            await done.CancelAsync().ConfigureAwait(false);
            await original.Input.CompleteAsync().ConfigureAwait(false);
            await pump.ConfigureAwait(false);
        }
    };

    private static async Task PumpAsync(PipeReader input, PipeWriter output, HijackConnection connection, CancellationToken closed)
    {
        try
        {
            var head = new ArrayBufferWriter<byte>();
            var rewriting = true;
            while (true)
            {
                var result = await input.ReadAsync(closed).ConfigureAwait(false);
                var buffer = result.Buffer;
                if (rewriting)
                {
                    foreach (var segment in buffer)
                    {
                        head.Write(segment.Span);
                    }
                    input.AdvanceTo(buffer.End);
                    var end = head.WrittenSpan.IndexOf(HeadEnd);
                    if (end < 0 && head.WrittenCount < MaxHead && !result.IsCompleted)
                    {
                        continue;
                    }
                    rewriting = false;
                    var bytes = head.WrittenSpan.ToArray();
                    if (end >= 0 && TryRewrite(bytes, end + HeadEnd.Length, out var rewritten, out var bodyLength))
                    {
                        // Decided before Kestrel sees the request: from here the client's FIN is stdin's end only.
                        connection.Decide(hijack: true);
                        // Drop the body: what follows it (nothing, for the CLI) goes on as it came.
                        var bodyStart = end + HeadEnd.Length;
                        var skip = (int)Math.Min(bodyLength, bytes.Length - bodyStart);
                        await output.WriteAsync(rewritten, closed).ConfigureAwait(false);
                        await output.WriteAsync(bytes.AsMemory(bodyStart + skip), closed).ConfigureAwait(false);
                        bodyLength -= skip;
                        while (bodyLength > 0)
                        {
                            var more = await input.ReadAsync(closed).ConfigureAwait(false);
                            var take = (int)Math.Min(bodyLength, more.Buffer.Length);
                            bodyLength -= take;
                            var rest = more.Buffer.Slice(take);
                            await output.WriteAsync(rest.ToArray(), closed).ConfigureAwait(false);
                            input.AdvanceTo(more.Buffer.End);
                            if (more.IsCompleted)
                            {
                                break;
                            }
                        }
                    }
                    else
                    {
                        // A body-less upgrade (attach, an exec start without a body) is a hijack all the same.
                        connection.Decide(hijack: end >= 0 && IsHijack(bytes, end + HeadEnd.Length));
                        await output.WriteAsync(bytes, closed).ConfigureAwait(false);
                    }
                    if (result.IsCompleted)
                    {
                        break;
                    }
                    continue;
                }
                foreach (var segment in buffer)
                {
                    await output.WriteAsync(segment, closed).ConfigureAwait(false);
                }
                input.AdvanceTo(buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }
            // The client's FIN: on a hijack the handler reads it as the end of stdin and keeps
            // writing (the connection is only half closed); elsewhere it ends the connection.
            await output.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException or ConnectionResetException)
        {
            connection.Decide(hijack: false);
            await output.CompleteAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// True for an HTTP/1.1 <c>POST</c> with <c>Upgrade: tcp</c> to one of the engine's hijacked
    /// routes (<c>/exec/{id}/start</c>, <c>/containers/{id}/attach</c>): its client may half-close.
    /// </summary>
    internal static bool IsHijack(byte[] bytes, int headLength)
    {
        var lines = Encoding.ASCII.GetString(bytes, 0, headLength - HeadEnd.Length).Split("\r\n");
        var request = lines[0].Split(' ');
        if (request.Length != 3 || request[0] != "POST")
        {
            return false;
        }
        var path = request[1].Split('?')[0];
        var route = (path.Contains("/exec/", StringComparison.Ordinal) && path.EndsWith("/start", StringComparison.Ordinal))
            || (path.Contains("/containers/", StringComparison.Ordinal) && path.EndsWith("/attach", StringComparison.Ordinal));
        return route && lines.Skip(1).Any(line =>
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            return colon > 0 && line[..colon].Trim().Equals("Upgrade", StringComparison.OrdinalIgnoreCase)
                && line[(colon + 1)..].Trim().Equals("tcp", StringComparison.OrdinalIgnoreCase);
        });
    }

    /// <summary>
    /// The head without its Content-Length line when it is an HTTP/1.1 upgrade request to
    /// <c>POST .../exec/{id}/start</c> with a body; <paramref name="bodyLength"/> is the body to drop.
    /// </summary>
    internal static bool TryRewrite(byte[] bytes, int headLength, out byte[] rewritten, out long bodyLength)
    {
        rewritten = [];
        bodyLength = 0;
        var lines = Encoding.ASCII.GetString(bytes, 0, headLength - HeadEnd.Length).Split("\r\n");
        var request = lines[0].Split(' ');
        if (request.Length != 3 || request[0] != "POST" || !request[1].Contains("/exec/", StringComparison.Ordinal)
            || !request[1].Split('?')[0].EndsWith("/start", StringComparison.Ordinal))
        {
            return false;
        }
        var upgrade = false;
        var kept = new List<string> { lines[0] };
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var name = colon > 0 ? line[..colon].Trim() : "";
            var value = colon > 0 ? line[(colon + 1)..].Trim() : "";
            if (name.Equals("Upgrade", StringComparison.OrdinalIgnoreCase) && value.Equals("tcp", StringComparison.OrdinalIgnoreCase))
            {
                upgrade = true;
            }
            if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                return false; // a chunked body: not what the CLI sends; leave it to Kestrel
            }
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                if (!long.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out bodyLength))
                {
                    return false;
                }
                continue;
            }
            kept.Add(line);
        }
        if (!upgrade || bodyLength == 0)
        {
            return false;
        }
        rewritten = Encoding.ASCII.GetBytes(string.Join("\r\n", kept) + "\r\n\r\n");
        return true;
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
