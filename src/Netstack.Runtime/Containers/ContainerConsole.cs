using Microsoft.Win32.SafeHandles;
using Netstack.Linux;

namespace Netstack.Runtime.Containers;

/// <summary>
/// The daemon's end of a running container's stdin: the pseudo-terminal master of a <c>-t</c>
/// container (also where its size is set) or the write end of the stdin pipe of a <c>-i</c> one,
/// received from the container's shim. One per run; it goes with the run.
/// </summary>
#pragma warning disable CA1001 // _writes is never disposed on purpose: see WriteAsync
public sealed class ContainerConsole : IDisposable
#pragma warning restore CA1001
{
    private readonly SafeFileHandle? _handle;
    private readonly FileStream? _stream;
    private readonly SemaphoreSlim _writes = new(1, 1);

    internal ContainerConsole(SafeFileHandle? handle, bool terminal)
    {
        _handle = handle;
        IsTerminal = terminal;
        _stream = handle is null ? null : new FileStream(handle, FileAccess.Write, 1, isAsync: false);
    }

    /// <summary>True for a pseudo-terminal, false for a plain stdin pipe.</summary>
    public bool IsTerminal { get; }

    /// <summary>True once stdin has been closed (a pipe's EOF sent): writes are dropped.</summary>
    public bool IsClosed { get; private set; }

    /// <summary>Writes to the process's input; false when it is closed or the process has gone.</summary>
    public async Task<bool> WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        await _writes.WaitAsync(cancellationToken).ConfigureAwait(false);
        // The lock outlives Dispose (never disposed itself): a writer that holds it when the run ends just finds the stream closed.
        try
        {
            if (_stream is null || IsClosed)
            {
                return false;
            }
            // Off the caller's thread: a terminal whose program reads nothing blocks its writer.
            await Task.Run(() => { _stream.Write(data.Span); _stream.Flush(); }, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            return false; // EPIPE or EIO: nobody reads any more; or the run has ended and its stdin gone with it
        }
        finally
        {
            _writes.Release();
        }
    }

    /// <summary>Sets the terminal's size (TIOCSWINSZ on the master); the kernel tells the foreground programs with SIGWINCH.</summary>
    public void Resize(ushort rows, ushort columns)
    {
        if (!IsTerminal || _handle is null)
        {
            throw RuntimeException.Invalid("the process has no terminal to resize");
        }
        PseudoTerminal.Resize(_handle, rows, columns);
    }

    /// <summary>Closes the daemon's copy of a stdin pipe (the shim closes its own on request).</summary>
    internal void CloseInput()
    {
        if (IsTerminal)
        {
            return;
        }
        IsClosed = true;
        _stream?.Dispose();
    }

    public void Dispose()
    {
        IsClosed = true;
        _stream?.Dispose();
        _handle?.Dispose();
    }
}
