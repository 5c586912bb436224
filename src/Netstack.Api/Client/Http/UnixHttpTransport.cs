using System.Globalization;
using System.Net.Sockets;

namespace Netstack.Api.Client.Http;

/// <summary>
/// HTTP/1.1 over the daemon's unix socket, one connection per request. Hand-written instead of
/// <see cref="System.Net.Http.HttpClient"/>: a CLI process makes one to three requests and exits, and
/// HttpClient's first request in a fresh process loads and JIT-compiles ~200 methods (connection pool,
/// handler pipeline, header collections), measured at 40-60 ms of the CLI's start-up; this path needs a
/// handful (scenarios/bench/README-run.md).
/// </summary>
internal sealed class UnixHttpTransport
{
    // Tarball uploads of unknown length go out in chunks of this size (RFC 9112 7.1).
    private const int UploadChunk = 64 * 1024;

    private readonly string _socketPath;
    private readonly Action<string>? _trace;
    private readonly bool _blocking;

    /// <param name="socketPath">The daemon's socket.</param>
    /// <param name="trace">Told each request's phases, or null.</param>
    /// <param name="blocking">Blocking socket calls (<see cref="BlockingSocketStream"/>): cheaper for a CLI process, wrong for a server's thread pool.</param>
    public UnixHttpTransport(string socketPath, Action<string>? trace = null, bool blocking = false)
    {
        _socketPath = socketPath;
        _trace = trace;
        _blocking = blocking;
    }

    /// <summary>Connects, sends the request and reads the answer's head.</summary>
    /// <exception cref="SocketException">The socket could not be connected (nothing was sent).</exception>
    /// <exception cref="IOException">The connection failed after connecting, or the answer is not valid HTTP/1.1 (<see cref="HttpFramingException"/>).</exception>
    public async Task<HttpResponse> SendAsync(HttpRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        Stream? stream = null;
        try
        {
            if (_blocking)
            {
                socket.Connect(new UnixDomainSocketEndPoint(_socketPath));
                stream = new BlockingSocketStream(socket);
            }
            else
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(_socketPath), ct).ConfigureAwait(false);
                stream = new NetworkStream(socket, ownsSocket: true);
            }
            _trace?.Invoke("connected");
            try
            {
                await WriteRequestAsync(stream, request, ct).ConfigureAwait(false);
            }
            catch (IOException)
            {
                // The daemon may answer (an error) and close before taking the whole body; its answer
                // is then the better report. Without one the write's error stands.
                var early = await TryReadAsync(stream, request, ct).ConfigureAwait(false);
                if (early is not null)
                {
                    return early;
                }
                throw;
            }
            _trace?.Invoke("sent");
            var reader = new HttpResponseReader(stream);
            var head = await reader.ReadHeadAsync(request.Method == "HEAD", ct).ConfigureAwait(false);
            _trace?.Invoke(string.Create(CultureInfo.InvariantCulture, $"answered {head.StatusCode}"));
            return new HttpResponse(head, reader, stream);
        }
        catch
        {
            if (stream is not null)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }
            socket.Dispose();
            throw;
        }
    }

    private static async Task WriteRequestAsync(Stream stream, HttpRequest request, CancellationToken ct)
    {
        if (request.BodyStream is { } body)
        {
            long? length = body.CanSeek ? body.Length - body.Position : null;
            await stream.WriteAsync(HttpRequestWriter.Head(request, length), ct).ConfigureAwait(false);
            if (length is not null)
            {
                await body.CopyToAsync(stream, ct).ConfigureAwait(false);
                return;
            }
            var buffer = new byte[UploadChunk + 32];
            while (true)
            {
                // Chunk: size in hex, CRLF, data, CRLF; the zero-size chunk ends the body.
                var n = await body.ReadAsync(buffer.AsMemory(16, UploadChunk), ct).ConfigureAwait(false);
                var prefix = System.Text.Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{n:x}\r\n"));
                var start = 16 - prefix.Length;
                prefix.CopyTo(buffer, start);
                buffer[16 + n] = (byte)'\r';
                buffer[16 + n + 1] = (byte)'\n';
                await stream.WriteAsync(buffer.AsMemory(start, prefix.Length + n + 2), ct).ConfigureAwait(false);
                if (n == 0)
                {
                    return;
                }
            }
        }
        var bytes = request.Body ?? ReadOnlyMemory<byte>.Empty;
        var head = HttpRequestWriter.Head(request, bytes.Length);
        if (bytes.IsEmpty)
        {
            await stream.WriteAsync(head, ct).ConfigureAwait(false);
            return;
        }
        // Head and body in one write: one syscall, and the daemon sees the request whole.
        var message = new byte[head.Length + bytes.Length];
        head.CopyTo(message, 0);
        bytes.Span.CopyTo(message.AsSpan(head.Length));
        await stream.WriteAsync(message, ct).ConfigureAwait(false);
    }

    private async Task<HttpResponse?> TryReadAsync(Stream stream, HttpRequest request, CancellationToken ct)
    {
        try
        {
            var reader = new HttpResponseReader(stream);
            var head = await reader.ReadHeadAsync(request.Method == "HEAD", ct).ConfigureAwait(false);
            _trace?.Invoke(string.Create(CultureInfo.InvariantCulture, $"answered {head.StatusCode} before the whole body was sent"));
            return new HttpResponse(head, reader, stream);
        }
        catch (IOException)
        {
            return null;
        }
    }
}
