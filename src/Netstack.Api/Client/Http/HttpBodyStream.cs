namespace Netstack.Api.Client.Http;

/// <summary>A response body as a forward-only, read-only stream that ends where the body's framing says.</summary>
internal sealed class HttpBodyStream(HttpResponseReader reader) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        reader.ReadBodyAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        reader.ReadBodyAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // The body comes off a socket read asynchronously; a blocking read would only hide that.
    public override int Read(byte[] buffer, int offset, int count) =>
        throw new NotSupportedException("read the response body with ReadAsync");

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
