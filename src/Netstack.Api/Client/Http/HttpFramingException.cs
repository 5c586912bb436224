namespace Netstack.Api.Client.Http;

/// <summary>
/// The daemon's answer broke HTTP/1.1 framing (RFC 9112): a malformed status line or header, a bad
/// Content-Length or chunk size, or the connection closed before the answer was complete.
/// </summary>
public sealed class HttpFramingException : IOException
{
    public HttpFramingException()
    {
    }

    public HttpFramingException(string message)
        : base(message)
    {
    }

    public HttpFramingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
