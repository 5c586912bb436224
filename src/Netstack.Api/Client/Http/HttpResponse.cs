namespace Netstack.Api.Client.Http;

/// <summary>An answer whose head has been read; the body is read through <see cref="Reader"/> or <see cref="OpenBody"/>. Disposing closes the connection.</summary>
internal sealed class HttpResponse : IDisposable
{
    private readonly Stream _connection;

    public HttpResponse(HttpResponseHead head, HttpResponseReader reader, Stream connection)
    {
        Head = head;
        Reader = reader;
        _connection = connection;
    }

    public HttpResponseHead Head { get; }

    public int StatusCode => Head.StatusCode;

    public bool IsSuccess => StatusCode is >= 200 and <= 299;

    public HttpResponseReader Reader { get; }

    /// <summary>The body as a read-only stream (for streamed answers such as logs).</summary>
    public Stream OpenBody() => new HttpBodyStream(Reader);

    public void Dispose() => _connection.Dispose();
}
