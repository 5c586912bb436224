namespace Netstack.Runtime.Containers;

/// <summary>
/// An exec whose process runc could not start, told apart from a process that ran and ended, with
/// Docker's exit codes for it: 127 for a command not found (<c>exec: "NAME": executable file not
/// found in $PATH</c>, or a path that does not exist), 126 for one that exists but cannot be run
/// (permission denied, a directory) and for any other refusal. runc then exits with 255 and, its
/// log sent elsewhere (<see cref="Runc.RuncClient.ExecLogArguments"/>), says why on stderr in one
/// line that begins <c>exec failed: unable to start container process: exec: "NAME"</c>
/// (a process that prints just that as its last line and exits 255 is taken for it).
/// </summary>
internal static class ExecFailure
{
    /// <summary>runc's status when it could not start the process.</summary>
    private const int RuncFailed = 255;

    // runc's words when the process's own execve failed, up to the command's quoted name.
    private const string Prefix = "exec failed: unable to start container process: exec: \"";

    /// <summary>Docker's exit code when runc's <paramref name="status"/> and <paramref name="stderr"/> say the process never ran; null when it ran (its status is its own).</summary>
    public static int? CodeOf(int status, string stderr)
    {
        ArgumentNullException.ThrowIfNull(stderr);
        return status == RuncFailed && LastLine(stderr).StartsWith(Prefix, StringComparison.Ordinal) ? Classify(stderr) : null;
    }

    /// <summary>127 for a command not found, 126 for anything else that kept the process from running.</summary>
    public static int Classify(string complaint)
    {
        ArgumentNullException.ThrowIfNull(complaint);
        var line = LastLine(complaint);
        var notFound = line.Contains("executable file not found", StringComparison.OrdinalIgnoreCase)
            || (line.Contains("exec: \"", StringComparison.Ordinal) && line.Contains("no such file or directory", StringComparison.OrdinalIgnoreCase));
        return notFound ? 127 : 126;
    }

    private static string LastLine(string text)
    {
        var trimmed = text.TrimEnd('\n', '\r');
        return trimmed[(trimmed.LastIndexOf('\n') + 1)..];
    }
}
