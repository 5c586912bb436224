namespace Netstack.Linux;

/// <summary>
/// For a container's shim: become the child subreaper (prctl(2) PR_SET_CHILD_SUBREAPER), so the
/// container's init, orphaned when <c>runc run -d</c> exits, is reparented to us, and reap it.
/// </summary>
public static class ChildReaper
{
    /// <summary>Orphaned descendants are reparented to this process instead of the system's init.</summary>
    public static void BecomeSubreaper()
    {
        if (Interop.Prctl(Interop.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0)
        {
            throw NetlinkException.Create("prctl(PR_SET_CHILD_SUBREAPER)", ErrnoText.Last());
        }
    }

    /// <summary>
    /// Waits for any child to end (waitpid(-1)) and returns its pid and its status as a shell
    /// reports it (the exit code, or 128 + the signal); null when there are no children left.
    /// </summary>
    public static (int Pid, int Status)? WaitAny()
    {
        while (true)
        {
            int status;
            int pid;
            unsafe
            {
                pid = Interop.WaitPid(-1, &status, 0);
            }
            if (pid > 0)
            {
                // WIFEXITED: low 7 bits zero; WEXITSTATUS in bits 8-15; else WTERMSIG in the low 7 bits.
                var code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f);
                return (pid, code);
            }
            var errno = ErrnoText.Last();
            if (errno == Errno.EINTR)
            {
                continue;
            }
            if (errno == Errno.ECHILD)
            {
                return null;
            }
            throw NetlinkException.Create("waitpid(-1)", errno);
        }
    }

    /// <summary>The parent's pid (getppid(2)); it changes when the parent has died and this process was reparented.</summary>
    public static int ParentPid => Interop.GetPpid();

    /// <summary>
    /// Sends signal number <paramref name="signal"/> to <paramref name="pid"/> (kill(2)); false when
    /// there is no such process any more. Equivalent to: kill -SIGNAL PID.
    /// </summary>
    public static bool Signal(int pid, int signal)
    {
        if (Interop.Kill(pid, signal) == 0)
        {
            return true;
        }
        var errno = ErrnoText.Last();
        return errno == Errno.ESRCH ? false : throw NetlinkException.Create($"kill({pid}, {signal})", errno);
    }
}
