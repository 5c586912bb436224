using System.Globalization;

namespace Netstack.Runtime.Containers;

public sealed partial class ContainerRuntime
{
    /// <summary>The extension of an exec holder's record (<c>PID STARTTIME</c>), written by the holder before any other file of its.</summary>
    internal const string HolderRecordExtension = ".holder";

    /// <summary>
    /// Removes the files (control and console sockets, pid file, record) of the exec holders
    /// (<c>EXEC-ROOT/shim/ID12-exec-*</c>) whose holder is gone: one killed with the daemon
    /// (SIGKILL) had no chance to remove them. A holder is alive when the pid in its record is a
    /// live process with the recorded start time and a holder's command line naming the same
    /// control socket, so a reused pid is not taken for it; a live holder's files stay (it removes
    /// them itself once it has hung its terminal up). Files without a record are a removal cut
    /// short: every holder writes its record first and removes it last.
    /// </summary>
    internal void SweepExecHolders()
    {
        if (!Directory.Exists(_options.ShimDir))
        {
            return;
        }
        var stems = Directory.EnumerateFiles(_options.ShimDir, "*-exec-*")
            .GroupBy(file => Path.Combine(_options.ShimDir, Path.GetFileName(file).Split('.')[0]), StringComparer.Ordinal);
        foreach (var stem in stems)
        {
            if (HolderAlive(stem.Key))
            {
                continue;
            }
            foreach (var file in stem)
            {
                try
                {
                    File.Delete(file);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Tried again at the next start.
                }
            }
            Log.ExecHolderSwept(_logger, stem.Key);
        }
    }

    private static bool HolderAlive(string stem)
    {
        string[] fields;
        try
        {
            fields = File.ReadAllText(stem + HolderRecordExtension).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
        if (fields.Length != 2
            || !int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            || !ulong.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var startTime)
            || pid <= 0 || startTime == 0
            || !InitProcess.IsAlive(pid, startTime))
        {
            return false;
        }
        try
        {
            var cmdline = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/cmdline").Split('\0');
            return cmdline.Contains(Shim.ContainerShim.Flag, StringComparer.Ordinal) && cmdline.Contains(stem + ".sock", StringComparer.Ordinal);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
