using System.Diagnostics;
using System.Globalization;

namespace Netstack.Cli.Terminal;

/// <summary>
/// The terminal the CLI runs on, for <c>run -it</c>, <c>exec -it</c> and <c>attach</c>: raw mode
/// while a session lasts (every key goes to the container, which echoes), its size, and SIGWINCH.
/// Done through stty(1) on our stdin rather than termios calls of our own: the CLI holds no native
/// code (it references only the API contracts), and a terminal is set up once per session.
/// </summary>
internal sealed class LocalTerminal : IDisposable
{
    private readonly string? _saved;

    private LocalTerminal(string? saved) => _saved = saved;

    /// <summary>True when stdin is a terminal (what <c>-t</c> needs on the client's side too).</summary>
    public static bool StdinIsTerminal => !Console.IsInputRedirected && Stty("-g") is not null;

    /// <summary>Raw mode (<c>stty raw -echo</c>) until disposed, when the settings from before come back.</summary>
    public static LocalTerminal Raw()
    {
        var saved = Stty("-g")?.Trim();
        Stty("raw", "-echo");
        return new LocalTerminal(saved);
    }

    /// <summary>The terminal's rows and columns (<c>stty size</c>), or null when it has none.</summary>
    public static (int Rows, int Columns)? Size()
    {
        var parts = Stty("size")?.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts is [var rows, var columns]
            && int.TryParse(rows, NumberStyles.None, CultureInfo.InvariantCulture, out var r)
            && int.TryParse(columns, NumberStyles.None, CultureInfo.InvariantCulture, out var c)
            && r > 0 && c > 0
            ? (r, c)
            : null;
    }

    public void Dispose()
    {
        if (_saved is { Length: > 0 })
        {
            Stty(_saved);
        }
    }

    /// <summary>stty on our own stdin (inherited); its output, or null when it failed (stdin is no terminal).</summary>
    private static string? Stty(params string[] args)
    {
        var start = new ProcessStartInfo("stty") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        try
        {
            using var process = Process.Start(start);
            if (process is null)
            {
                return null;
            }
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // no stty
        }
    }
}
