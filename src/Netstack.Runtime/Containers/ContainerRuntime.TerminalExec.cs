using System.Diagnostics;
using System.Security.Cryptography;

namespace Netstack.Runtime.Containers;

/// <summary>A process run with a terminal in a running container (<c>docker exec -t</c>): its output, its stdin, its end.</summary>
public sealed class TerminalExec : IDisposable
{
    private readonly Process _shim;
    private readonly Func<CancellationToken, Task<ContainerConsole>> _open;
    private readonly string[] _files;
    private ContainerConsole? _console;

    internal TerminalExec(Process shim, Func<CancellationToken, Task<ContainerConsole>> open, string[] files)
    {
        _shim = shim;
        _open = open;
        _files = files;
        Exit = WaitAsync();
    }

    /// <summary>Everything the terminal prints (raw bytes); ends when the process has ended.</summary>
    public Stream Output => _shim.StandardOutput.BaseStream;

    /// <summary>The process's exit status (127 or 126 with the reason in <see cref="Error"/> when it could not be run, see <see cref="ExecFailure"/>).</summary>
    public Task<int> Exit { get; }

    /// <summary>runc's complaint when the process could not be started.</summary>
    public string Error { get; private set; } = "";

    /// <summary>The terminal (its master), from the shim once runc has handed it over.</summary>
    public async Task<ContainerConsole> ConsoleAsync(CancellationToken cancellationToken = default) =>
        _console ??= await _open(cancellationToken).ConfigureAwait(false);

    private async Task<int> WaitAsync()
    {
        var error = _shim.StandardError.ReadToEndAsync();
        await _shim.WaitForExitAsync().ConfigureAwait(false);
        Error = await error.ConfigureAwait(false);
        foreach (var file in _files)
        {
            try
            {
                File.Delete(file);
            }
            catch (IOException)
            {
                // Gone with the shim already.
            }
        }
        // 125 with a complaint is the shim's own failure or runc's refusal (nothing ran): 127 for a
        // command not found, else 126, as Docker says; 125 without one is the process's own status.
        return _shim.ExitCode == 125 && Error.Length > 0 ? ExecFailure.Classify(Error) : _shim.ExitCode;
    }

    public void Dispose()
    {
        _console?.Dispose();
        _shim.Dispose();
    }
}

public sealed partial class ContainerRuntime
{
    /// <summary>
    /// Starts <paramref name="cmd"/> in a running container on a pseudo-terminal of its own
    /// (<c>runc exec -d --tty --console-socket</c> under a shim that is the daemon's child, as an
    /// exec does not outlive the daemon: when the daemon dies the shim hangs the terminal up and
    /// the exec's processes end). Equivalent to: docker exec -it NAME CMD.
    /// </summary>
    public Task<TerminalExec> StartTerminalExecAsync(string idOrName, IReadOnlyList<string> cmd, IReadOnlyList<string>? env, string? workingDir, CancellationToken cancellationToken = default)
    {
        var container = RunningForExec(idOrName, cmd, env, workingDir);
        var shimCommand = _options.ShimCommand
            ?? throw RuntimeException.Invalid("an exec with a terminal (-t) needs the shim command (runtime option ShimCommand)");
        Directory.CreateDirectory(_options.ShimDir);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(_options.ShimDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        var id = container.Info.Id;
        var stem = Path.Combine(_options.ShimDir, id[..12] + "-exec-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)));
        string control = stem + ".sock", console = stem + ".console", pidFile = stem + ".pid", record = stem + HolderRecordExtension;
        List<string> runcArgs = ["--root", Runc.StateRoot, .. Netstack.Runtime.Runc.RuncClient.ExecLogArguments, "exec", "-d", "--tty", "--console-socket", console, "--pid-file", pidFile, "--env", "TERM=xterm"];
        if (workingDir is not null)
        {
            runcArgs.AddRange(["--cwd", workingDir]);
        }
        foreach (var entry in env ?? [])
        {
            runcArgs.AddRange(["--env", entry]);
        }
        runcArgs.Add(id);
        runcArgs.AddRange(cmd);
        var start = new ProcessStartInfo(shimCommand[0]) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])[.. shimCommand.Skip(1), Shim.ContainerShim.Flag, "exec", Runc.RuncPath, control, console, pidFile, "--", .. runcArgs])
        {
            start.ArgumentList.Add(arg);
        }
        var shim = Process.Start(start) ?? throw RuntimeException.Failed($"cannot start the exec shim for container {container.Info.Name}");
        async Task<ContainerConsole> OpenAsync(CancellationToken ct)
        {
            // The shim binds its control socket at once; a few tries cover its start.
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    var (reply, handle) = await AskShimAsync(control, (byte)'F', ct).ConfigureAwait(false);
                    return reply == 'y' && handle is not null
                        ? new ContainerConsole(handle, terminal: true)
                        : throw RuntimeException.Failed($"the exec shim of container {container.Info.Name} has no terminal");
                }
                catch (RuntimeException) when (attempt < 200 && !shim.HasExited)
                {
                    await Task.Delay(StartPollInterval * 10, _time, ct).ConfigureAwait(false);
                }
            }
        }
        return Task.FromResult(new TerminalExec(shim, OpenAsync, [control, console, pidFile, record]));
    }
}
