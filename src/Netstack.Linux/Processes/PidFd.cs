namespace Netstack.Linux;

/// <summary>
/// A process held by a pidfd (<c>pidfd_open</c>): a signal sent through it reaches that process or
/// none, never a later one that was given the same pid. Check that the process is the one meant
/// (its start time, say) after opening: from then on the pid cannot be reused under the handle.
/// </summary>
public sealed class PidFd : IDisposable
{
    private readonly SafeFileDescriptor _fd;

    private PidFd(SafeFileDescriptor fd) => _fd = fd;

    /// <summary>The process, or null when there is none with this pid.</summary>
    public static PidFd? TryOpen(int pid)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pid);
        var fd = Interop.PidFdOpen(Interop.SYS_pidfd_open, pid, 0);
        if (fd < 0)
        {
            var errno = ErrnoText.Last();
            return errno == Errno.ESRCH ? null : throw NetlinkException.Create($"pidfd_open({pid})", errno);
        }
        return new PidFd(new SafeFileDescriptor(fd));
    }

    /// <summary>Sends <paramref name="signal"/>; false when the process has ended (a zombie still takes it).</summary>
    public bool TrySignal(int signal)
    {
        ObjectDisposedException.ThrowIf(_fd.IsClosed, this);
        if (Interop.PidFdSendSignal(Interop.SYS_pidfd_send_signal, _fd.Value, signal, 0, 0) == 0)
        {
            return true;
        }
        var errno = ErrnoText.Last();
        return errno == Errno.ESRCH ? false : throw NetlinkException.Create($"pidfd_send_signal({signal})", errno);
    }

    public void Dispose() => _fd.Dispose();
}
