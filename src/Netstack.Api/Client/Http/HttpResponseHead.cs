namespace Netstack.Api.Client.Http;

/// <summary>How the body after the head is delimited (RFC 9112 section 6.3).</summary>
internal enum BodyFraming
{
    /// <summary>No body: 1xx, 204 and 304 answers, and every answer to HEAD.</summary>
    None,

    /// <summary>Exactly <see cref="HttpResponseHead.ContentLength"/> bytes.</summary>
    ContentLength,

    /// <summary><c>Transfer-Encoding: chunked</c>: size-prefixed chunks up to a zero-size one.</summary>
    Chunked,

    /// <summary>Neither length nor chunking: the body runs until the server closes the connection.</summary>
    UntilClose,
}

/// <summary>A parsed status line and header block.</summary>
internal sealed record HttpResponseHead(
    int StatusCode,
    string Reason,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    BodyFraming Framing,
    long ContentLength)
{
    /// <summary>The first value of a header (names compare case-insensitively), or null.</summary>
    public string? Header(string name)
    {
        foreach (var (key, value) in Headers)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }
        return null;
    }
}
