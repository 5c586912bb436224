using System.Diagnostics;
using System.Text.Json;
using Netstack.Runtime.Processes;

namespace Netstack.Runtime.Runc;

/// <summary>
/// Drives Debian's runc with our own state directory (<c>runc --root</c>), so only netstack's
/// containers are ever listed, killed or deleted.
/// </summary>
internal sealed class RuncClient(string runcPath, string stateRoot)
{
    public string RuncPath { get; } = runcPath;

    public string StateRoot { get; } = stateRoot;

    /// <summary>Debian installs runc as /usr/sbin/runc (bookworm) or /usr/bin/runc.</summary>
    public static string FindRunc(string? configured)
    {
        if (configured is not null)
        {
            return File.Exists(configured)
                ? configured
                : throw RuntimeException.Failed($"runc not found at \"{configured}\" (runtime option RuncPath)");
        }
        foreach (var candidate in new[] { "/usr/sbin/runc", "/usr/bin/runc", "/usr/local/sbin/runc", "/usr/local/bin/runc" })
        {
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw RuntimeException.Failed("runc not found in /usr/sbin, /usr/bin or /usr/local: install Debian's runc package");
    }

    /// <summary>The container's runc state, or null when runc does not know it. Equivalent to: runc --root R state ID.</summary>
    public async Task<RuncState?> StateAsync(string id, CancellationToken cancellationToken = default)
    {
        var result = await RunAsync(["state", id], cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            if (IsNotExist(result))
            {
                return null;
            }
            throw RuntimeException.Failed($"runc state {id} failed: {result.Diagnostic}");
        }
        return JsonSerializer.Deserialize(result.Stdout, RuncJsonContext.Default.RuncState);
    }

    /// <summary>Every container in our state directory. Equivalent to: runc --root R list -f json.</summary>
    public async Task<IReadOnlyList<RuncState>> ListAsync(CancellationToken cancellationToken = default)
    {
        if (!Directory.Exists(StateRoot))
        {
            return [];
        }
        var result = await RunAsync(["list", "-f", "json"], cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw RuntimeException.Failed($"runc list failed: {result.Diagnostic}");
        }
        // runc prints "null" when there are no containers.
        return JsonSerializer.Deserialize(result.Stdout, RuncJsonContext.Default.ListRuncState) ?? [];
    }

    /// <summary>Sends a signal to the init process (all processes with <paramref name="all"/>). Equivalent to: runc --root R kill [--all] ID SIG.</summary>
    public async Task<bool> KillAsync(string id, string signal, bool all = false, CancellationToken cancellationToken = default)
    {
        string[] args = all ? ["kill", "--all", id, signal] : ["kill", id, signal];
        var result = await RunAsync(args, cancellationToken).ConfigureAwait(false);
        if (result.Succeeded)
        {
            return true;
        }
        // The process may have exited between our check and the kill.
        if (IsNotExist(result) || result.Diagnostic.Contains("not running", StringComparison.OrdinalIgnoreCase)
            || result.Diagnostic.Contains("process already finished", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        throw RuntimeException.Failed($"runc kill {id} {signal} failed: {result.Diagnostic}");
    }

    /// <summary>Removes runc's state and cgroup of a container; absent is fine. Equivalent to: runc --root R delete --force ID.</summary>
    public async Task DeleteAsync(string id, CancellationToken cancellationToken = default)
    {
        var result = await RunAsync(["delete", "--force", id], cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded && !IsNotExist(result))
        {
            throw RuntimeException.Failed($"runc delete {id} failed: {result.Diagnostic}");
        }
    }

    /// <summary>Runs a process in a running container and captures its output. Equivalent to: runc --root R exec --cwd DIR --env K=V ID ARGS.</summary>
    public Task<CommandResult> ExecAsync(string id, IReadOnlyList<string> args, IReadOnlyList<string> env, string? cwd, CancellationToken cancellationToken) =>
        RunAsync([.. ExecLogArguments, .. ExecArguments(id, args, env, cwd)], cancellationToken);

    /// <summary>
    /// runc's global options for an exec: its log to nowhere, so its refusal to start the process
    /// comes on stderr as one plain line (<c>exec failed: ...</c>, see <see cref="Containers.ExecFailure"/>)
    /// rather than as a logrus record with its quotes escaped.
    /// </summary>
    internal static readonly string[] ExecLogArguments = ["--log", "/dev/null", "--log-format", "json"];

    /// <summary>
    /// Starts a process in a running container with its stdio our pipes (runc in the foreground
    /// passes them on as they are) and returns at once. Equivalent to: runc --root R exec ID ARGS.
    /// </summary>
    public Process StartExec(string id, IReadOnlyList<string> args, IReadOnlyList<string> env, string? cwd)
    {
        var start = new ProcessStartInfo(RuncPath)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in (string[])["--root", StateRoot, .. ExecLogArguments, .. ExecArguments(id, args, env, cwd)])
        {
            start.ArgumentList.Add(arg);
        }
        try
        {
            return Process.Start(start) ?? throw RuntimeException.Failed($"cannot start runc exec in container {id}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw RuntimeException.Failed($"cannot start {RuncPath}: {e.Message}", e);
        }
    }

    private static List<string> ExecArguments(string id, IReadOnlyList<string> args, IReadOnlyList<string> env, string? cwd)
    {
        var arguments = new List<string> { "exec" };
        if (cwd is not null)
        {
            arguments.Add("--cwd");
            arguments.Add(cwd);
        }
        foreach (var entry in env)
        {
            arguments.Add("--env");
            arguments.Add(entry);
        }
        arguments.Add(id);
        arguments.AddRange(args);
        return arguments;
    }

    /// <summary>
    /// Starts <c>runc run</c> in the foreground under a small shell shim in a session of its own
    /// (<c>setsid -f</c>): the shim is not our child and holds none of our file descriptors, so the
    /// container outlives the daemon, and the daemon's terminal signals never reach it. runc in the
    /// foreground is the container init's parent and subreaper, so it learns the exit status and
    /// the shim writes it to <paramref name="exitFile"/>.
    /// </summary>
    public async Task SpawnRunAsync(string id, Containers.ContainerPaths paths, CancellationToken cancellationToken)
    {
        await File.WriteAllTextAsync(paths.ShimScript, ShimScript, cancellationToken).ConfigureAwait(false);
        await SetsidAsync(id, [paths.ShimScript, RuncPath, StateRoot, paths.BundleDir, id, paths.LogFile, paths.ErrorLogFile], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// As <see cref="SpawnRunAsync"/> for a container with a terminal or an open stdin: the shell
    /// shim runs the container's holder (<see cref="Shim.ContainerShim"/>) instead of runc itself;
    /// the holder runs runc, keeps the terminal master or the stdin pipe, and its status is the
    /// container's. A terminal goes through runc's console socket (<c>runc run -d
    /// --console-socket</c>), a plain stdin through <c>runc run</c> in the foreground.
    /// </summary>
    public async Task SpawnInteractiveRunAsync(string id, Containers.ContainerPaths paths, bool tty, IReadOnlyList<string> shimCommand, string control, string console, CancellationToken cancellationToken)
    {
        await File.WriteAllTextAsync(paths.ShimScript, HolderShimScript, cancellationToken).ConfigureAwait(false);
        string[] runcArgs = tty
            ? ["--root", StateRoot, "--log", paths.RuncLog, "--log-format", "json", "run", "-d", "--console-socket", console, "--pid-file", paths.PidFile, "--bundle", paths.BundleDir, id]
            : ["--root", StateRoot, "--log", paths.RuncLog, "--log-format", "json", "run", "--keep", "--bundle", paths.BundleDir, "--pid-file", paths.PidFile, id];
        string[] holder = tty
            ? [.. shimCommand, Shim.ContainerShim.Flag, "console", RuncPath, control, console, paths.PidFile, "--", .. runcArgs]
            : [.. shimCommand, Shim.ContainerShim.Flag, "stdin", RuncPath, control, "--", .. runcArgs];
        await SetsidAsync(id, [paths.ShimScript, paths.BundleDir, paths.LogFile, paths.ErrorLogFile, .. holder], cancellationToken).ConfigureAwait(false);
    }

    private static async Task SetsidAsync(string id, IEnumerable<string> shimArgs, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo("setsid") { UseShellExecute = false };
        foreach (var arg in (string[])["-f", "/bin/sh", .. shimArgs])
        {
            startInfo.ArgumentList.Add(arg);
        }
        using var process = Process.Start(startInfo)
            ?? throw RuntimeException.Failed($"cannot start the shim for container {id}");
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw RuntimeException.Failed($"setsid for container {id} exited with {process.ExitCode}");
        }
    }

    // $1 bundle, $2 stdout log, $3 stderr log, then the holder's command line; the holder's status
    // is the container's. A terminal has one stream (the holder's stdout; its stderr has only the
    // holder's own complaints); a plain -i container's stdout and stderr stay apart, as runc in the
    // foreground hands the holder's stdout and stderr to the container's process as they are.
    private const string HolderShimScript = """
        #!/bin/sh
        # netstack shim: runs an interactive container's holder and records its exit status.
        echo $$ > "$1/shim.pid"
        exec </dev/null >>"$2" 2>>"$3"
        bundle="$1"
        shift 3
        "$@"
        echo $? > "$bundle/exit.tmp"
        mv -f "$bundle/exit.tmp" "$bundle/exit"

        """;

    // $1 runc, $2 runc state root, $3 bundle, $4 container id, $5 stdout log, $6 stderr log (apart,
    // so attach and logs can frame stderr as stream 2).
    // --keep: runc leaves the stopped container (and its cgroup) to our runc delete, so the exit
    // handler can still read the cgroup's OOM kill count.
    private const string ShimScript = """
        #!/bin/sh
        # netstack shim: runs one container in the foreground and records its exit status.
        echo $$ > "$3/shim.pid"
        exec </dev/null >>"$5" 2>>"$6"
        "$1" --root "$2" --log "$3/runc.log" --log-format json run --keep --bundle "$3" --pid-file "$3/init.pid" "$4"
        echo $? > "$3/exit.tmp"
        mv -f "$3/exit.tmp" "$3/exit"

        """;

    private static bool IsNotExist(CommandResult result) =>
        result.Diagnostic.Contains("does not exist", StringComparison.OrdinalIgnoreCase);

    private Task<CommandResult> RunAsync(IEnumerable<string> args, CancellationToken cancellationToken) =>
        CommandRunner.RunAsync(RuncPath, ["--root", StateRoot, .. args], cancellationToken);
}
