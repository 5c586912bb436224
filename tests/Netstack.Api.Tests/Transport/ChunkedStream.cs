namespace Netstack.Api.Tests.Transport;

/// <summary>
/// Hands out its bytes at most <c>step</c> at a time, as a socket may, so a parser sees every
/// delimiter split across reads.
/// </summary>
internal sealed class ChunkedStream(byte[] bytes, int step) : Stream
{
    private int _at;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => bytes.Length;

    public override long Position
    {
        get => _at;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        var n = Math.Min(Math.Min(count, step), bytes.Length - _at);
        Array.Copy(bytes, _at, buffer, offset, n);
        _at += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = Math.Min(Math.Min(buffer.Length, step), bytes.Length - _at);
        bytes.AsSpan(_at, n).CopyTo(buffer.Span);
        _at += n;
        return ValueTask.FromResult(n);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
