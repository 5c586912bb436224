using System.Globalization;
using System.Text;

namespace Netstack.Api.Client.Http;

/// <summary>
/// Reads one HTTP/1.1 response (RFC 9112) from a stream: the status line and headers, then the body
/// as its framing says (Content-Length, chunked, or until the connection closes). Interim 1xx answers
/// are skipped. Anything malformed or cut short is an <see cref="HttpFramingException"/> saying what
/// and where, never a silently short body.
/// </summary>
internal sealed class HttpResponseReader
{
    // The daemon's heads are a few hundred bytes; Kestrel itself refuses request heads over 32 KiB.
    // A head still unfinished after 64 KiB is a broken peer, not a big answer.
    internal const int MaxHeadLength = 64 * 1024;

    // A chunk-size line is hex digits and perhaps ";extensions"; trailer lines are header lines.
    internal const int MaxLineLength = 8 * 1024;

    // Bodies up to this announced length are read into one exact array; longer ones grow as they come.
    private const int ExactAllocationLimit = 1024 * 1024;

    private static readonly byte[] CrLf = "\r\n"u8.ToArray();

    private static readonly byte[] EndOfHead = "\r\n\r\n"u8.ToArray();

    private readonly Stream _source;
    private byte[] _buffer;
    private int _start;   // first byte not yet consumed
    private int _end;     // end of the bytes read so far
    private long _totalRead;

    private BodyFraming _framing = BodyFraming.None;
    private long _remaining;       // bytes left in the body (Content-Length) or in the current chunk
    private long _declared;        // the declared length of the body or the current chunk, for messages
    private bool _chunkNeedsCrLf;  // a chunk's data has been read; its CRLF has not
    private bool _bodyDone = true;

    public HttpResponseReader(Stream source, int bufferSize = 4096)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfLessThan(bufferSize, 16);
        _source = source;
        _buffer = new byte[bufferSize];
    }

    /// <summary>Reads the head of the final answer; afterwards <see cref="ReadBodyAsync"/> reads its body.</summary>
    /// <param name="requestWasHead">The request was HEAD: the answer has no body whatever its headers say.</param>
    public async ValueTask<HttpResponseHead> ReadHeadAsync(bool requestWasHead, CancellationToken ct)
    {
        while (true)
        {
            var length = await FillUntilAsync(EndOfHead, MaxHeadLength, "the response head", ct).ConfigureAwait(false);
            var head = ParseHead(_buffer.AsSpan(_start, length), requestWasHead);
            _start += length + EndOfHead.Length;
            if (head.StatusCode < 200)
            {
                // 100 Continue and friends: the real answer follows on the same connection.
                continue;
            }
            _framing = head.Framing;
            _remaining = _declared = head.Framing == BodyFraming.ContentLength ? head.ContentLength : 0;
            _chunkNeedsCrLf = false;
            _bodyDone = head.Framing == BodyFraming.None || (head.Framing == BodyFraming.ContentLength && head.ContentLength == 0);
            return head;
        }
    }

    /// <summary>Reads body bytes into <paramref name="destination"/>; 0 at the end of the body.</summary>
    public async ValueTask<int> ReadBodyAsync(Memory<byte> destination, CancellationToken ct)
    {
        if (_bodyDone || destination.IsEmpty)
        {
            return 0;
        }
        switch (_framing)
        {
            case BodyFraming.UntilClose:
            {
                var n = await ReadRawAsync(destination, ct).ConfigureAwait(false);
                _bodyDone = n == 0;
                return n;
            }
            case BodyFraming.ContentLength:
            {
                var n = await ReadRawAsync(destination[..(int)Math.Min(destination.Length, _remaining)], ct).ConfigureAwait(false);
                if (n == 0)
                {
                    throw new HttpFramingException(string.Create(CultureInfo.InvariantCulture,
                        $"the connection closed after {_declared - _remaining} of the {_declared} body bytes its Content-Length announced"));
                }
                _remaining -= n;
                _bodyDone = _remaining == 0;
                return n;
            }
            case BodyFraming.Chunked:
            {
                if (_remaining == 0 && !await NextChunkAsync(ct).ConfigureAwait(false))
                {
                    return 0;
                }
                var n = await ReadRawAsync(destination[..(int)Math.Min(destination.Length, _remaining)], ct).ConfigureAwait(false);
                if (n == 0)
                {
                    throw new HttpFramingException(string.Create(CultureInfo.InvariantCulture,
                        $"the connection closed inside a chunk ({_declared - _remaining} of its {_declared} bytes)"));
                }
                _remaining -= n;
                _chunkNeedsCrLf = _remaining == 0;
                return n;
            }
            default:
                return 0;
        }
    }

    /// <summary>The whole body in one array (answers of the API are small JSON documents).</summary>
    public async ValueTask<byte[]> ReadBodyToEndAsync(CancellationToken ct)
    {
        if (_bodyDone)
        {
            return [];
        }
        // An announced length is allocated at once only when modest: a broken peer announcing
        // gigabytes must not make us allocate them before it has sent a byte.
        if (_framing == BodyFraming.ContentLength && _remaining <= ExactAllocationLimit)
        {
            var exact = new byte[_remaining];
            var at = 0;
            while (at < exact.Length)
            {
                at += await ReadBodyAsync(exact.AsMemory(at), ct).ConfigureAwait(false);
            }
            return exact;
        }
        using var collected = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await ReadBodyAsync(chunk, ct).ConfigureAwait(false)) > 0)
        {
            collected.Write(chunk, 0, read);
        }
        return collected.ToArray();
    }

    /// <summary>Parses a head without its final empty line (status line, then header lines, CRLF between).</summary>
    internal static HttpResponseHead ParseHead(ReadOnlySpan<byte> head, bool requestWasHead)
    {
        var lineEnd = head.IndexOf(CrLf);
        var statusLine = lineEnd < 0 ? head : head[..lineEnd];
        var (status, reason) = ParseStatusLine(statusLine);

        var headers = new List<KeyValuePair<string, string>>();
        long? contentLength = null;
        string? transferEncoding = null;
        var rest = lineEnd < 0 ? [] : head[(lineEnd + CrLf.Length)..];
        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf(CrLf);
            var line = end < 0 ? rest : rest[..end];
            rest = end < 0 ? [] : rest[(end + CrLf.Length)..];
            var (name, value) = ParseHeaderLine(line);
            headers.Add(new(name, value));
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                var parsed = ParseContentLength(value);
                if (contentLength is { } earlier && earlier != parsed)
                {
                    throw new HttpFramingException(string.Create(CultureInfo.InvariantCulture,
                        $"the response has two different Content-Length headers ({earlier} and {parsed})"));
                }
                contentLength = parsed;
            }
            else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                transferEncoding = transferEncoding is null ? value : transferEncoding + "," + value;
            }
        }

        BodyFraming framing;
        if (requestWasHead || status < 200 || status is 204 or 304)
        {
            framing = BodyFraming.None;
        }
        else if (transferEncoding is not null)
        {
            // RFC 9112 6.3: Transfer-Encoding overrides Content-Length; chunked must be the last coding,
            // otherwise the body runs to the close of the connection.
            var last = transferEncoding.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
            framing = string.Equals(last, "chunked", StringComparison.OrdinalIgnoreCase) ? BodyFraming.Chunked : BodyFraming.UntilClose;
        }
        else
        {
            framing = contentLength is null ? BodyFraming.UntilClose : BodyFraming.ContentLength;
        }
        return new HttpResponseHead(status, reason, headers, framing, framing == BodyFraming.ContentLength ? contentLength!.Value : 0);
    }

    private static (int Status, string Reason) ParseStatusLine(ReadOnlySpan<byte> line)
    {
        // status-line = HTTP-version SP status-code SP [ reason-phrase ], version "HTTP/1.x".
        if (line.Length < 12 || !line.StartsWith("HTTP/1."u8) || !char.IsAsciiDigit((char)line[7]) || line[8] != ' '
            || !char.IsAsciiDigit((char)line[9]) || !char.IsAsciiDigit((char)line[10]) || !char.IsAsciiDigit((char)line[11])
            || (line.Length > 12 && line[12] != ' '))
        {
            throw new HttpFramingException($"the response does not start with an HTTP/1.x status line: \"{Printable(line)}\"");
        }
        var status = ((line[9] - '0') * 100) + ((line[10] - '0') * 10) + (line[11] - '0');
        if (status < 100)
        {
            throw new HttpFramingException(string.Create(CultureInfo.InvariantCulture, $"the response's status code {status:D3} is not between 100 and 999"));
        }
        var reason = line.Length > 13 ? Encoding.Latin1.GetString(line[13..]) : "";
        return (status, reason);
    }

    private static (string Name, string Value) ParseHeaderLine(ReadOnlySpan<byte> line)
    {
        if (!line.IsEmpty && line[0] is (byte)' ' or (byte)'\t')
        {
            // RFC 9112 5.2: obsolete line folding; a client may reject it, and the daemon never sends it.
            throw new HttpFramingException($"the response folds a header line (obsolete in HTTP/1.1): \"{Printable(line)}\"");
        }
        var colon = line.IndexOf((byte)':');
        if (colon <= 0 || line[..colon].IndexOfAny((byte)' ', (byte)'\t') >= 0)
        {
            throw new HttpFramingException($"the response has a malformed header line: \"{Printable(line)}\"");
        }
        var value = line[(colon + 1)..].Trim(" \t"u8);
        return (Encoding.Latin1.GetString(line[..colon]), Encoding.Latin1.GetString(value));
    }

    private static long ParseContentLength(string value)
    {
        // Digits only (RFC 9110 8.6), at most 18 of them so the sum cannot overflow a long.
        if (value.Length is 0 or > 18 || !value.All(char.IsAsciiDigit))
        {
            throw new HttpFramingException($"the response's Content-Length \"{value}\" is not a number of bytes");
        }
        return long.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture);
    }

    // Moves to the next chunk's data; false (and the body is done) after the last chunk and its trailers.
    private async ValueTask<bool> NextChunkAsync(CancellationToken ct)
    {
        if (_chunkNeedsCrLf)
        {
            var after = await FillUntilAsync(CrLf, MaxLineLength, "the end of a chunk", ct).ConfigureAwait(false);
            if (after != 0)
            {
                throw new HttpFramingException(string.Create(CultureInfo.InvariantCulture,
                    $"a chunk of {_declared} bytes is not followed by CRLF: \"{Printable(_buffer.AsSpan(_start, Math.Min(after, 40)))}\""));
            }
            _start += CrLf.Length;
            _chunkNeedsCrLf = false;
        }
        var length = await FillUntilAsync(CrLf, MaxLineLength, "a chunk-size line", ct).ConfigureAwait(false);
        var size = ParseChunkSize(_buffer.AsSpan(_start, length));
        _start += length + CrLf.Length;
        if (size > 0)
        {
            _remaining = _declared = size;
            return true;
        }
        // Last chunk: trailer fields, if any, up to an empty line. Nothing here uses them.
        while (true)
        {
            var trailer = await FillUntilAsync(CrLf, MaxLineLength, "the trailers after the last chunk", ct).ConfigureAwait(false);
            _start += trailer + CrLf.Length;
            if (trailer == 0)
            {
                _bodyDone = true;
                return false;
            }
        }
    }

    // chunk-size [ ";" chunk-ext ]: hex digits, at most 15 so the size fits a long.
    private static long ParseChunkSize(ReadOnlySpan<byte> line)
    {
        var semicolon = line.IndexOf((byte)';');
        var hex = (semicolon < 0 ? line : line[..semicolon]).Trim(" \t"u8);
        if (hex.IsEmpty || hex.Length > 15 || !long.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var size))
        {
            throw new HttpFramingException($"the response has a malformed chunk size \"{Printable(line)}\"");
        }
        return size;
    }

    // Reads buffered bytes first, then straight from the source.
    private async ValueTask<int> ReadRawAsync(Memory<byte> destination, CancellationToken ct)
    {
        if (_end > _start)
        {
            var n = Math.Min(destination.Length, _end - _start);
            _buffer.AsSpan(_start, n).CopyTo(destination.Span);
            _start += n;
            return n;
        }
        var read = await _source.ReadAsync(destination, ct).ConfigureAwait(false);
        _totalRead += read;
        return read;
    }

    // Reads until the buffered bytes from _start contain the delimiter; returns its offset from _start.
    private async ValueTask<int> FillUntilAsync(byte[] delimiter, int maxLength, string what, CancellationToken ct)
    {
        var searched = 0;
        while (true)
        {
            var found = _buffer.AsSpan(_start + searched, _end - _start - searched).IndexOf(delimiter);
            if (found >= 0)
            {
                return searched + found;
            }
            // Next search starts where the delimiter could still begin.
            searched = Math.Max(0, _end - _start - delimiter.Length + 1);
            if (_end - _start >= maxLength)
            {
                throw new HttpFramingException(string.Create(CultureInfo.InvariantCulture, $"{what} is longer than {maxLength} bytes"));
            }
            MakeRoom();
            var read = await _source.ReadAsync(_buffer.AsMemory(_end), ct).ConfigureAwait(false);
            if (read == 0)
            {
                throw new HttpFramingException(_totalRead == 0
                    ? "the connection closed before any answer"
                    : string.Create(CultureInfo.InvariantCulture, $"the connection closed inside {what} ({_end - _start} bytes of it read)"));
            }
            _end += read;
            _totalRead += read;
        }
    }

    // Frees space after _end: slide the unread bytes to the front, or grow when they fill the buffer.
    private void MakeRoom()
    {
        if (_end < _buffer.Length)
        {
            return;
        }
        var unread = _end - _start;
        if (unread >= _buffer.Length / 2)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, unread);
            _start = 0;
            _end = unread;
        }
    }

    // For messages: the bytes as text with control characters escaped, at most 80 of them.
    private static string Printable(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder();
        foreach (var b in bytes[..Math.Min(bytes.Length, 80)])
        {
            text.Append(b is >= 0x20 and < 0x7f ? (char)b : string.Create(CultureInfo.InvariantCulture, $"\\x{b:x2}"));
        }
        return bytes.Length > 80 ? text.Append("...").ToString() : text.ToString();
    }
}
