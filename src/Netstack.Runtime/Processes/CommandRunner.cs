using System.Diagnostics;

namespace Netstack.Runtime.Processes;

/// <summary>Runs a helper program to completion with its output captured.</summary>
internal static class CommandRunner
{
    /// <summary>
    /// Starts <paramref name="file"/> with <paramref name="args"/> (no shell, so no quoting
    /// issues), stdin empty, and waits for it. Cancellation kills the process.
    /// </summary>
    public static async Task<CommandResult> RunAsync(string file, IEnumerable<string> args, CancellationToken cancellationToken = default)
    {
        var startInfo = new ProcessStartInfo(file)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            startInfo.ArgumentList.Add(arg);
        }
        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw RuntimeException.Failed($"cannot start {file}: {ex.Message}", ex);
        }
        process.StandardInput.Close();
        // Process.Dispose leaves the redirected streams open once they were read (the caller might
        // still hold them): closed here, or each run would keep two pipes until a GC finalised them.
        using var stdoutReader = process.StandardOutput;
        using var stderrReader = process.StandardError;
        var stdout = stdoutReader.ReadToEndAsync(cancellationToken);
        var stderr = stderrReader.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            return new CommandResult(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
            throw;
        }
    }
}
