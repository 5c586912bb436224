using System.Globalization;
using System.Text.Unicode;

namespace Netstack.Api.Client.Http;

/// <summary>
/// Writes an HTTP/1.1 request head (RFC 9112 section 3) as UTF-8 bytes. Every request asks for
/// <c>Connection: close</c>: the CLI makes one to three requests per process, so a pool of kept-alive
/// connections would buy nothing, and a closed connection also ends a body of unknown length.
/// </summary>
internal static class HttpRequestWriter
{
    // The daemon listens on a unix socket, so the Host header only has to be present (RFC 9112 3.2);
    // docker's own client sends a made-up name the same way.
    public const string Host = "netstack";

    /// <summary>
    /// The head for <paramref name="request"/>; <paramref name="bodyLength"/> is null for a chunked body.
    /// A GET, HEAD or DELETE without a body gets no Content-Length; other methods get <c>Content-Length: 0</c>,
    /// as the engine API's POSTs without a body are usually sent.
    /// </summary>
    public static byte[] Head(HttpRequest request, long? bodyLength)
    {
        ArgumentNullException.ThrowIfNull(request);
        CheckToken(request.Method, "method");
        CheckTarget(request.Target);
        if (request.ContentType is { } type && type.AsSpan().IndexOfAnyInRange('\0', '\x1f') >= 0)
        {
            throw new ArgumentException($"content type \"{type}\" has control characters", nameof(request));
        }

        var size = 128 + request.Method.Length + request.Target.Length + (request.ContentType?.Length ?? 0);
        var buffer = new byte[size];
        var span = buffer.AsSpan();
        var at = 0;
        at += Written(Utf8.TryWrite(span[at..], CultureInfo.InvariantCulture, $"{request.Method} {request.Target} HTTP/1.1\r\nHost: {Host}\r\nConnection: close\r\n", out var n1), n1);
        if (request.ContentType is { } contentType)
        {
            at += Written(Utf8.TryWrite(span[at..], CultureInfo.InvariantCulture, $"Content-Type: {contentType}\r\n", out var n2), n2);
        }
        if (bodyLength is 0 && request.Method is "GET" or "HEAD" or "DELETE")
        {
            // No body and none expected: no framing header.
        }
        else if (bodyLength is { } length)
        {
            at += Written(Utf8.TryWrite(span[at..], CultureInfo.InvariantCulture, $"Content-Length: {length}\r\n", out var n3), n3);
        }
        else
        {
            at += Written(Utf8.TryWrite(span[at..], CultureInfo.InvariantCulture, $"Transfer-Encoding: chunked\r\n", out var n4), n4);
        }
        at += Written(Utf8.TryWrite(span[at..], CultureInfo.InvariantCulture, $"\r\n", out var n5), n5);
        return buffer[..at];
    }

    private static int Written(bool fitted, int written) =>
        // The buffer is sized above for the fixed text plus the variable parts; a miss is a bug in that sum.
        fitted ? written : throw new InvalidOperationException("request head buffer too small");

    private static void CheckToken(string method, string what)
    {
        if (method.Length == 0 || !method.All(c => c is >= 'A' and <= 'Z'))
        {
            throw new ArgumentException($"invalid HTTP {what} \"{method}\"", nameof(method));
        }
    }

    // The target is written as is: it must already be percent-encoded, so a space or a control
    // character in it would split the request line (or smuggle a header) and is refused.
    private static void CheckTarget(string target)
    {
        if (target.Length == 0 || target[0] != '/' || target.AsSpan().IndexOfAnyExceptInRange('\x21', '\x7e') >= 0)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"request target \"{target}\" is not an encoded absolute path"), nameof(target));
        }
    }
}
