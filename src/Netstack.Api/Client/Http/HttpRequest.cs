namespace Netstack.Api.Client.Http;

/// <summary>
/// One request: method, origin-form target (<c>/v1.41/containers/create?name=x</c>, already
/// percent-encoded), and an optional body given either as bytes (JSON) or as a stream (an image tarball).
/// </summary>
internal sealed record HttpRequest(string Method, string Target)
{
    public string? ContentType { get; init; }

    public ReadOnlyMemory<byte>? Body { get; init; }

    public Stream? BodyStream { get; init; }
}
