namespace Netstack.Runtime.Containers;

/// <summary>
/// A reader of a container's output: its stdout and stderr files (the shim writes them apart), read
/// as they grow. Each read returns what is new in one of them, stdout first, so a reader that polls
/// sees each stream in order and the two interleaved at the grain of its polls.
/// </summary>
public sealed class ContainerLog : IAsyncDisposable
{
    /// <summary>The stream numbers of the engine's multiplexed framing.</summary>
    public const byte Stdout = 1;

    public const byte Stderr = 2;

    private readonly FileStream _stdout;
    private readonly string _stderrPath;
    private FileStream? _stderr;
    private bool _atEnd;

    internal ContainerLog(string stdoutPath, string stderrPath)
    {
        _stdout = new FileStream(stdoutPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        _stderrPath = stderrPath;
        _stderr = Open(stderrPath);
    }

    /// <summary>Skips what has been written so far: only output from now on is read.</summary>
    public void SeekToEnd()
    {
        _atEnd = true;
        _stdout.Seek(0, SeekOrigin.End);
        _stderr?.Seek(0, SeekOrigin.End);
    }

    /// <summary>Reads new output of one stream into <paramref name="buffer"/>; a count of 0 when neither has any now.</summary>
    public async ValueTask<(byte Stream, int Count)> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await _stdout.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (n > 0)
        {
            return (Stdout, n);
        }
        // A container from before stderr was kept apart has no stderr file (its stderr is in stdout's).
        if (_stderr is null && (_stderr = Open(_stderrPath)) is not null && _atEnd)
        {
            _stderr.Seek(0, SeekOrigin.End);
        }
        if (_stderr is not null && (n = await _stderr.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            return (Stderr, n);
        }
        return (Stdout, 0);
    }

    public async ValueTask DisposeAsync()
    {
        await _stdout.DisposeAsync().ConfigureAwait(false);
        if (_stderr is not null)
        {
            await _stderr.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static FileStream? Open(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }
}
