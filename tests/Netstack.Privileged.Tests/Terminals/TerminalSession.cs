using System.Diagnostics;
using System.Text;
using Netstack.Privileged.Tests.Api;

namespace Netstack.Privileged.Tests.Terminals;

/// <summary>
/// A command run on a pseudo-terminal of its own, as a user at a terminal runs it: util-linux's
/// <c>script -qfec CMD /dev/null</c> gives it the terminal, the test types into script's stdin
/// (copied to the terminal's master) and reads everything the terminal printed from its stdout.
/// <c>-e</c> makes script's exit code the command's.
/// </summary>
internal sealed class TerminalSession : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _screen = new();
    private readonly Task _reader;

    private TerminalSession(string command, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("script")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])["-q", "-f", "-e", "-c", command, "/dev/null"])
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment.Remove("DOCKER_HOST");
        start.Environment.Remove("DOCKER_CONTEXT");
        start.Environment["SHELL"] = "/bin/sh";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        _process = Process.Start(start) ?? throw new InvalidOperationException("cannot start script");
        _reader = Task.Run(async () =>
        {
            var buffer = new char[4096];
            int n;
            while ((n = await _process.StandardOutput.ReadAsync(buffer)) > 0)
            {
                lock (_screen)
                {
                    _screen.Append(buffer, 0, n);
                }
            }
        });
        _ = _process.StandardError.ReadToEndAsync();
    }

    /// <summary>The stock docker CLI (<c>docker ARGS</c>) against the daemon, on a terminal.</summary>
    /// <remarks>With <paramref name="rows"/> and <paramref name="columns"/> the terminal gets that size first (script's own has none).</remarks>
    public static TerminalSession Docker(NetstackdProcess daemon, string args, int rows = 0, int columns = 0)
    {
        var config = Path.Combine(daemon.Directory, "docker-config");
        Directory.CreateDirectory(config);
        return new TerminalSession(Sized(rows, columns) + $"{NetstackdProcess.DockerPath} -H {daemon.HostUri} {args}", new Dictionary<string, string> { ["DOCKER_CONFIG"] = config });
    }

    /// <summary>Our CLI's JIT build (<c>netstack ARGS</c>, next to the tests) against the daemon, on a terminal.</summary>
    public static TerminalSession Netstack(NetstackdProcess daemon, string args, int rows = 0, int columns = 0) =>
        new(Sized(rows, columns) + $"{Path.Combine(AppContext.BaseDirectory, "netstack")} -H {daemon.HostUri} {args}", new Dictionary<string, string>());

    private static string Sized(int rows, int columns) => rows > 0 ? $"stty rows {rows} cols {columns}; " : "";

    /// <summary>Everything the terminal has shown so far (echo included, with the terminal's CR LF line ends).</summary>
    public string Screen
    {
        get
        {
            lock (_screen)
            {
                return _screen.ToString();
            }
        }
    }

    /// <summary>Types <paramref name="text"/> (a CR is the Enter key).</summary>
    public async Task TypeAsync(string text)
    {
        await _process.StandardInput.WriteAsync(text);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>Waits (a readiness wait, bounded so a broken daemon cannot hang the run) until the screen shows <paramref name="text"/> after position <paramref name="from"/>.</summary>
    public async Task<bool> WaitForAsync(string text, int from = 0)
    {
        for (var i = 0; i < 600; i++)
        {
            var screen = Screen;
            if (screen.Length > from && screen.IndexOf(text, from, StringComparison.Ordinal) >= 0)
            {
                return true;
            }
            if (_process.HasExited && _reader.IsCompleted)
            {
                return false;
            }
            await Task.Delay(50);
        }
        return false;
    }

    /// <summary>The command's exit code once it has ended by itself; null when it had not ended after a minute (then it is killed).</summary>
    public async Task<int?> WaitForExitAsync()
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        try
        {
            await _process.WaitForExitAsync(limit.Token);
            await _reader.WaitAsync(limit.Token);
            return _process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            return null;
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        _process.Dispose();
    }
}
