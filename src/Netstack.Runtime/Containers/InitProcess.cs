using System.Globalization;

namespace Netstack.Runtime.Containers;

/// <summary>
/// Looks at a container's init process through /proc. We are not its parent (runc is, and after a
/// daemon restart nobody related to us is), so liveness is read, not waited for: the pid plus its
/// start time, which tells the process apart from a later one that reuses the pid.
/// </summary>
internal static class InitProcess
{
    /// <summary>
    /// The start time (field 22 of /proc/PID/stat, clock ticks after boot) of a live process, or
    /// null when there is no such process or it is a zombie waiting to be reaped.
    /// </summary>
    public static ulong? ReadStartTime(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        return ParseStartTime(stat);
    }

    /// <summary>Parses a /proc/PID/stat line; the command name (field 2) is in parentheses and may hold spaces.</summary>
    internal static ulong? ParseStartTime(string stat)
    {
        var close = stat.LastIndexOf(')');
        if (close < 0 || close + 2 > stat.Length)
        {
            // No command name, or nothing after it: not a stat line.
            return null;
        }
        // After ") " come fields 3 (state), 4 (ppid), ... so field N is at index N - 3.
        var fields = stat[(close + 2)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 20 || fields[0] is "Z" or "X" or "x")
        {
            return null;
        }
        return ulong.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var start) ? start : null;
    }

    /// <summary>Whether <paramref name="pid"/> still is the process that started at <paramref name="startTime"/> (0: any).</summary>
    public static bool IsAlive(int pid, ulong startTime)
    {
        if (pid <= 0)
        {
            return false;
        }
        var now = ReadStartTime(pid);
        return now is not null && (startTime == 0 || now == startTime);
    }

    /// <summary>
    /// Signals the init process directly (a pidfd, checked against its start time once opened):
    /// what <c>runc kill ID SIG</c> does for a container's init, without starting runc. False when
    /// the process has ended; null when the pid is not known (the caller asks runc instead).
    /// </summary>
    public static bool? TrySignal(int pid, ulong startTime, int signal)
    {
        if (pid <= 0 || startTime == 0)
        {
            return null;
        }
        using var process = Netstack.Linux.PidFd.TryOpen(pid);
        if (process is null || !IsAlive(pid, startTime))
        {
            return false;
        }
        return process.TrySignal(signal);
    }
}
