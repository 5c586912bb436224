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
    private readonly Process _runc;

    internal StreamExec(Process runc)
    {
        _runc = runc;
        Exit = WaitAsync();
    }

    /// <summary>The process's stdin; <see cref="CloseInput"/> ends it.</summary>
    public Stream Input => _runc.StandardInput.BaseStream;

    /// <summary>What the process writes to its stdout, until it and every child holding it have ended.</summary>
    public Stream Output => _runc.StandardOutput.BaseStream;

    /// <summary>What the process writes to its stderr (runc's own complaint too, when the command cannot be run).</summary>
    public Stream Error => _runc.StandardError.BaseStream;

    /// <summary>The process's exit status (runc's: the process's own, 128 + N for signal N).</summary>
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
        return _runc.ExitCode;
    }

    public void Dispose()
    {
        CloseInput();
        _runc.StandardOutput.Dispose();
        _runc.StandardError.Dispose();
        _runc.Dispose();
    }
}
