using System.Diagnostics;
using System.Text;
using Netstack.Privileged.Tests.Api;

namespace Netstack.Privileged.Tests.Streams;

/// <summary>
/// The stock docker CLI left running (attach, logs -f) while the test acts on the container: its
/// output is collected as it comes, so the test can wait for a line before it goes on.
/// </summary>
internal sealed class BackgroundDocker : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _out = new();
    private readonly StringBuilder _err = new();

    public BackgroundDocker(NetstackdProcess daemon, params string[] args)
    {
        var config = Path.Combine(daemon.Directory, "docker-config");
        Directory.CreateDirectory(config);
        var start = new ProcessStartInfo(NetstackdProcess.DockerPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.Environment.Remove("DOCKER_HOST");
        start.Environment.Remove("DOCKER_CONTEXT");
        start.Environment["DOCKER_CONFIG"] = config;
        foreach (var arg in (string[])["-H", daemon.HostUri, .. args])
        {
            start.ArgumentList.Add(arg);
        }
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => { lock (_out) { if (e.Data is not null) { _out.Append(e.Data).Append('\n'); } } };
        _process.ErrorDataReceived += (_, e) => { lock (_err) { if (e.Data is not null) { _err.Append(e.Data).Append('\n'); } } };
        _process.Start();
        _process.StandardInput.Close();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Out { get { lock (_out) { return _out.ToString(); } } }

    public string Err { get { lock (_err) { return _err.ToString(); } } }

    /// <summary>Waits (a readiness wait, bounded only so a broken daemon cannot hang the run) until the output holds <paramref name="text"/>.</summary>
    public async Task<bool> WaitForOutputAsync(string text)
    {
        for (var i = 0; i < 600 && !Out.Contains(text, StringComparison.Ordinal); i++)
        {
            if (_process.HasExited)
            {
                return Out.Contains(text, StringComparison.Ordinal);
            }
            await Task.Delay(50);
        }
        return Out.Contains(text, StringComparison.Ordinal);
    }

    /// <summary>The CLI's exit code once it has ended by itself; null when it had not ended after a minute (then it is killed).</summary>
    public async Task<int?> WaitForExitAsync()
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        try
        {
            await _process.WaitForExitAsync(limit.Token);
            _process.WaitForExit(); // the output events are flushed after the exit
            return _process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            _process.Kill();
            return null;
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }
        _process.Dispose();
    }
}
