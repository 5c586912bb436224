using System.Diagnostics;

namespace Netstack.Runtime.Containers;

/// <summary>
/// A process run in a running container without a terminal, its three streams live
/// (<c>docker exec -i</c>, and any hijacked exec without <c>-t</c>): <c>runc exec</c> in the
/// foreground as the daemon's child, which hands its stdin, stdout and stderr pipes to the process
/// as they are, so stdout and stderr stay apart and the end of <see cref="Input"/> is the process's
/// EOF. An exec does not outlive the daemon: when the daemon goes, the pipes break and the process
/// reads EOF.
/// </summary>
public sealed class StreamExec : IDisposable
{
    /// <summary>How long the exit waits for the reader of <see cref="Error"/> to reach its end (runc's complaint is its last line).</summary>
    private static readonly TimeSpan ErrorDrainWait = TimeSpan.FromSeconds(5);

    private readonly Process _runc;
    private readonly TailStream _error;

    internal StreamExec(Process runc)
    {
        _runc = runc;
        _error = new TailStream(runc.StandardError.BaseStream);
        Exit = WaitAsync();
    }

    /// <summary>The process's stdin; <see cref="CloseInput"/> ends it.</summary>
    public Stream Input => _runc.StandardInput.BaseStream;

    /// <summary>What the process writes to its stdout, until it and every child holding it have ended.</summary>
    public Stream Output => _runc.StandardOutput.BaseStream;

    /// <summary>What the process writes to its stderr (runc's own complaint too, when the command cannot be run).</summary>
    public Stream Error => _error;

    /// <summary>
    /// The process's exit status (runc's: the process's own, 128 + N for signal N), or 127 or 126
    /// when runc could not start it (<see cref="ExecFailure"/>), known once <see cref="Error"/> has
    /// been read to its end.
    /// </summary>
    public Task<int> Exit { get; }

    /// <summary>Closes the process's stdin: it reads EOF. Idempotent.</summary>
    public void CloseInput()
    {
        try
        {
            _runc.StandardInput.Close();
        }
        catch (IOException)
        {
            // EPIPE: the process had stopped reading already.
        }
    }

    private async Task<int> WaitAsync()
    {
        await _runc.WaitForExitAsync().ConfigureAwait(false);
        await Task.WhenAny(_error.Ended, Task.Delay(ErrorDrainWait)).ConfigureAwait(false);
        return ExecFailure.CodeOf(_runc.ExitCode, _error.Tail) ?? _runc.ExitCode;
    }

    public void Dispose()
    {
        CloseInput();
        _runc.StandardOutput.Dispose();
        _error.Dispose();
        _runc.Dispose();
    }

    /// <summary>A read-only stream that passes reads on and keeps their last bytes (where runc's complaint is).</summary>
    private sealed class TailStream(Stream inner) : Stream
    {
        private const int Keep = 1024;
        private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Lock _sync = new();
        private byte[] _tail = [];

        public Task Ended => _ended.Task;

        public string Tail
        {
            get
            {
                lock (_sync)
                {
                    return System.Text.Encoding.UTF8.GetString(_tail);
                }
            }
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Seen(buffer.AsSpan(offset, inner.Read(buffer, offset, count)));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            return Seen(buffer.Span[..n]);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        private int Seen(ReadOnlySpan<byte> read)
        {
            if (read.Length == 0)
            {
                _ended.TrySetResult();
                return 0;
            }
            lock (_sync)
            {
                byte[] joined = [.. _tail, .. read];
                _tail = joined.Length > Keep ? joined[^Keep..] : joined;
            }
            return read.Length;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _ended.TrySetResult();
                inner.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
