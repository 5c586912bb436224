using Netstack.Privileged.Tests.Api;
using Netstack.Privileged.Tests.Streams;
using Netstack.TestKit;
using Xunit;

namespace Netstack.Privileged.Tests.Terminals;

/// <summary>
/// Interactive containers on real runc: <c>-t</c> (a pseudo-terminal from runc's console socket,
/// held by the container's shim), <c>-i</c> (stdin), attach and detach, resize, exec -it, through
/// the stock docker CLI driven on a terminal of the test's own.
/// </summary>
public sealed class TerminalTests
{
    [PrivilegedFact]
    public async Task DockerRunIt_TheShellAnswersWhatIsTyped_ExitCodeIsTheShells()
    {
        await using var daemon = await NetstackdProcess.StartAsync();
        await daemon.ImportBusyboxAsync();
        using var term = TerminalSession.Docker(daemon, "run -it --name it1 --network none busybox sh");
        Assert.True(await term.WaitForAsync("# "), "no prompt: " + term.Screen + daemon.Log);
        await term.TypeAsync("echo $((6*7))\r");
        Assert.True(await term.WaitForAsync("\n42"), "no answer: " + term.Screen + daemon.Log);
        await term.TypeAsync("exit 3\r");
        Assert.Equal(3, await term.WaitForExitAsync());
        Assert.Equal("exited 3 true", daemon.Docker("inspect", "--format", "{{.State.Status}} {{.State.ExitCode}} {{.Config.Tty}}", "it1").Out.Trim());
        // The terminal's output is in the log, raw (docker logs of a tty container reads it unframed).
        var logs = daemon.Docker("logs", "it1");
        Assert.True(logs.Exit == 0 && logs.Out.Contains("42", StringComparison.Ordinal), logs.Out + logs.Err);
    }

    [PrivilegedFact]
    public async Task DockerRunI_WithoutTty_StdinReachesTheProcess_ItsEndClosesIt()
    {
        await using var daemon = await NetstackdProcess.StartAsync();
        await daemon.ImportBusyboxAsync();
        var config = Path.Combine(daemon.Directory, "docker-config");
        Directory.CreateDirectory(config);
        var piped = TestNamespace.TryRun("sh", "-c",
            $"printf 'hi\\nthere\\n' | DOCKER_CONFIG={config} {NetstackdProcess.DockerPath} -H {daemon.HostUri} run -i --rm --network none busybox cat");
        Assert.True(piped.ExitCode == 0 && piped.Output == "hi\nthere\n", $"exit {piped.ExitCode} out \"{piped.Output}\" err \"{piped.Error}\"\n{daemon.Log}");
        // wc only answers after the EOF: proof that the end of the client's input closed the container's stdin.
        var counted = TestNamespace.TryRun("sh", "-c",
            $"printf 'a\\nb\\nc\\n' | DOCKER_CONFIG={config} {NetstackdProcess.DockerPath} -H {daemon.HostUri} run -i --rm --network none busybox wc -l");
        Assert.True(counted.ExitCode == 0 && counted.Output.Trim() == "3", $"exit {counted.ExitCode} out \"{counted.Output}\" err \"{counted.Error}\"");
        Assert.Equal("", daemon.Docker("ps", "-aq").Out.Trim());
    }

    [PrivilegedFact]
    public async Task DockerRunI_WithoutTty_StdoutAndStderrStayApart_LiveAndInLogs()
    {
        await using var daemon = await NetstackdProcess.StartAsync();
        await daemon.ImportBusyboxAsync();
        var config = Path.Combine(daemon.Directory, "docker-config");
        Directory.CreateDirectory(config);
        var run = TestNamespace.TryRun("sh", "-c",
            $"printf 'v\\n' | DOCKER_CONFIG={config} {NetstackdProcess.DockerPath} -H {daemon.HostUri} run -i --name sep --network none busybox sh -c 'read x; echo out-$x; echo err-$x >&2; exit 4'");
        Assert.True(run.ExitCode == 4 && run.Output == "out-v\n" && run.Error == "err-v\n", $"exit {run.ExitCode} out \"{run.Output}\" err \"{run.Error}\"\n{daemon.Log}");
        // docker logs writes stream 1 to its stdout and stream 2 to its stderr.
        var logs = daemon.Docker("logs", "sep");
        Assert.True(logs.Exit == 0 && logs.Out == "out-v\n" && logs.Err == "err-v\n", $"logs: out \"{logs.Out}\" err \"{logs.Err}\"");
        var ours = await daemon.NetstackAsync("logs", "sep");
        Assert.True(ours.Exit == 0 && ours.Out == "out-v\n" && ours.Err == "err-v\n", $"netstack logs: out \"{ours.Out}\" err \"{ours.Err}\"");

        // Our CLI's run -i too.
        var cli = TestNamespace.TryRun("sh", "-c",
            $"printf 'w\\n' | {Path.Combine(AppContext.BaseDirectory, "netstack")} -H {daemon.HostUri} run -i --rm --network none busybox sh -c 'read x; echo out-$x; echo err-$x >&2'");
        Assert.True(cli.ExitCode == 0 && cli.Output == "out-w\n" && cli.Error == "err-w\n", $"exit {cli.ExitCode} out \"{cli.Output}\" err \"{cli.Error}\"");
    }

    [PrivilegedFact]
    public async Task DockerAttach_ToAnItContainer_TypesAndDetachesWithCtrlPCtrlQ_ThenAttachesAgain()
    {
        await using var daemon = await NetstackdProcess.StartAsync();
        await daemon.ImportBusyboxAsync();
        Assert.Equal(0, daemon.Docker("run", "-dit", "--name", "att", "--network", "none", "busybox", "sh").Exit);

        using (var first = TerminalSession.Docker(daemon, "attach att"))
        {
            await first.TypeAsync("echo $((6*7))\r");
            Assert.True(await first.WaitForAsync("\n42"), "no answer: " + first.Screen + daemon.Log);
            await first.TypeAsync("\u0010\u0011"); // ctrl-p ctrl-q
            // The v28 CLI ends with its own "read escape sequence" (exit 1), as against dockerd.
            Assert.NotNull(await first.WaitForExitAsync());
            Assert.Contains("read escape sequence", first.Screen, StringComparison.Ordinal);
        }
        Assert.Equal("running", daemon.Docker("inspect", "--format", "{{.State.Status}}", "att").Out.Trim());

        using var second = TerminalSession.Docker(daemon, "attach att");
        await second.TypeAsync("echo again-$((2+3))\r");
        Assert.True(await second.WaitForAsync("again-5"), "no answer: " + second.Screen + daemon.Log);
        await second.TypeAsync("exit 5\r");
        Assert.Equal(5, await second.WaitForExitAsync());
    }

    [PrivilegedFact]
    public async Task Resize_SetsTheTerminalSize_SttySizeInsideShowsIt()
    {
        await using var daemon = await NetstackdProcess.StartAsync();
        await daemon.ImportBusyboxAsync();
        using var term = TerminalSession.Docker(daemon, "run -it --name rs --network none busybox sh");
        Assert.True(await term.WaitForAsync("# "), "no prompt: " + term.Screen + daemon.Log);
        var (status, body) = await RawEngineClient.RequestAsync(daemon.SocketPath, "POST", "/v1.41/containers/rs/resize?h=33&w=111");
        Assert.True(status == 200, $"{status} {body}");
        await term.TypeAsync("stty size\r");
        Assert.True(await term.WaitForAsync("33 111"), "size: " + term.Screen + daemon.Log);
        await term.TypeAsync("exit\r");
        Assert.Equal(0, await term.WaitForExitAsync());
    }

    [PrivilegedFact]
    public async Task Resize_BadInput_ClearFourHundreds()
    {
        await using var daemon = await NetstackdProcess.StartAsync();
        await daemon.ImportBusyboxAsync();
        Assert.Equal(0, daemon.Docker("run", "-d", "--name", "plain", "--network", "none", "busybox", "sleep", "600").Exit);
        Assert.Equal(0, daemon.Docker("run", "-dit", "--name", "tt", "--network", "none", "busybox", "sh").Exit);

        var plain = await RawEngineClient.RequestAsync(daemon.SocketPath, "POST", "/v1.41/containers/plain/resize?h=10&w=20");
        Assert.True(plain.Status == 400 && plain.Body.Contains("Tty", StringComparison.Ordinal), $"{plain.Status} {plain.Body}");
        var missing = await RawEngineClient.RequestAsync(daemon.SocketPath, "POST", "/v1.41/containers/nosuch/resize?h=10&w=20");
        Assert.True(missing.Status == 404 && missing.Body.Contains("nosuch", StringComparison.Ordinal), $"{missing.Status} {missing.Body}");
        var height = await RawEngineClient.RequestAsync(daemon.SocketPath, "POST", "/v1.41/containers/tt/resize?h=abc&w=20");
        Assert.True(height.Status == 400 && height.Body.Contains("h:", StringComparison.Ordinal) && height.Body.Contains("abc", StringComparison.Ordinal), $"{height.Status} {height.Body}");
        var width = await RawEngineClient.RequestAsync(daemon.SocketPath, "POST", "/v1.41/containers/tt/resize?h=10&w=70000");
        Assert.True(width.Status == 400 && width.Body.Contains("w:", StringComparison.Ordinal), $"{width.Status} {width.Body}");
        var keys = await RawEngineClient.RequestAsync(daemon.SocketPath, "POST", "/v1.41/containers/tt/attach?stream=1&stdin=1&detachKeys=ctrl-1");
        Assert.True(keys.Status == 400 && keys.Body.Contains("detachKeys", StringComparison.Ordinal), $"{keys.Status} {keys.Body}");
        var size = await RawEngineClient.RequestAsync(daemon.SocketPath, "POST", "/v1.41/containers/create",
            """{"Image":"busybox","Cmd":["sh"],"Tty":true,"HostConfig":{"ConsoleSize":[10],"NetworkMode":"none"}}""");
        Assert.True(size.Status == 400 && size.Body.Contains("ConsoleSize", StringComparison.Ordinal), $"{size.Status} {size.Body}");
        Assert.Equal(2, daemon.Docker("ps", "-aq").Out.Trim().Split('\n').Length);
    }

    [PrivilegedFact]
    public async Task DockerExecIt_InteractiveShell_SizeFromTheClientsTerminal_ExitCode()
    {
        await using var daemon = await NetstackdProcess.StartAsync();
        await daemon.ImportBusyboxAsync();
        Assert.Equal(0, daemon.Docker("run", "-d", "--name", "box", "--network", "none", "busybox", "sleep", "600").Exit);
        // The CLI sends its terminal's size (POST /exec/{id}/resize) once the exec runs.
        using var term = TerminalSession.Docker(daemon, "exec -it box sh", rows: 40, columns: 120);
        Assert.True(await term.WaitForAsync("# "), "no prompt: " + term.Screen + daemon.Log);
        await term.TypeAsync("echo $((6*7))\r");
        Assert.True(await term.WaitForAsync("\n42"), "no answer: " + term.Screen + daemon.Log);
        await term.TypeAsync("stty size\r");
        Assert.True(await term.WaitForAsync("40 120"), "size: " + term.Screen + daemon.Log);
        await term.TypeAsync("exit 4\r");
        Assert.Equal(4, await term.WaitForExitAsync());
        var missing = TestNamespace.TryRun("script", "-qfec", $"DOCKER_CONFIG={daemon.Directory}/docker-config {NetstackdProcess.DockerPath} -H {daemon.HostUri} exec -it box nosuch", "/dev/null");
        // Docker's code for a command not found: 127.
        Assert.True(missing.ExitCode == 127 && missing.Output.Contains("exec: \"nosuch\": executable file not found in $PATH", StringComparison.Ordinal), $"exit {missing.ExitCode} out \"{missing.Output}\"");
    }

    [PrivilegedFact]
    public async Task DaemonKilledAndRestarted_ItContainerKeepsRunning_AttachesAgain()
    {
        await using var daemon = await NetstackdProcess.StartAsync();
        await daemon.ImportBusyboxAsync();
        Assert.Equal(0, daemon.Docker("run", "-dit", "--name", "keep", "--network", "none", "busybox", "sh").Exit);
        Assert.Equal(0, daemon.Docker("run", "-di", "--name", "keepi", "--network", "none", "busybox", "sh").Exit);
        var pid = daemon.Docker("inspect", "--format", "{{.State.Pid}}", "keep").Out.Trim();

        await daemon.KillHardAsync();
        await daemon.LaunchAsync();

        Assert.Equal($"running {pid}", daemon.Docker("inspect", "--format", "{{.State.Status}} {{.State.Pid}}", "keep").Out.Trim());
        using (var term = TerminalSession.Docker(daemon, "attach keep", rows: 30, columns: 90))
        {
            await term.TypeAsync("echo $((6*7)); stty size\r");
            Assert.True(await term.WaitForAsync("\n42"), "no answer after the restart: " + term.Screen + daemon.Log);
            Assert.True(await term.WaitForAsync("30 90"), "size after the restart: " + term.Screen + daemon.Log);
            await term.TypeAsync("exit 3\r");
            Assert.Equal(3, await term.WaitForExitAsync());
        }
        // -i without a terminal: the shim kept the stdin pipe for the new daemon too.
        var config = Path.Combine(daemon.Directory, "docker-config");
        var piped = TestNamespace.TryRun("sh", "-c",
            $"(echo 'echo after-restart; exit 6'; sleep 5) | DOCKER_CONFIG={config} {NetstackdProcess.DockerPath} -H {daemon.HostUri} attach keepi");
        Assert.True(piped.ExitCode == 6 && piped.Output.Contains("after-restart", StringComparison.Ordinal), $"exit {piped.ExitCode} out \"{piped.Output}\" err \"{piped.Error}\"\n{daemon.Log}");
    }

    /// <summary>Host pids of the exec shims of a container (their command lines name its short id with "-exec-").</summary>
    private static List<int> ExecShims(string containerId) =>
        [.. Directory.EnumerateDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0)
            .Where(pid => pid > 0 && ReadCmdline(pid) is { } cmd && cmd.Contains("--container-shim", StringComparison.Ordinal) && cmd.Contains(containerId[..12] + "-exec-", StringComparison.Ordinal))];

    private static string? ReadCmdline(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return null;
        }
    }

    [PrivilegedFact]
    public async Task DaemonKilled_DuringExecIt_TheExecIsHungUp_NoProcessHolderOrFileLeft_ContainerGoesOn()
    {
        await using var daemon = await NetstackdProcess.StartAsync();
        await daemon.ImportBusyboxAsync();
        Assert.Equal(0, daemon.Docker("run", "-d", "--name", "box", "--network", "none", "busybox", "sleep", "600").Exit);
        var id = daemon.Docker("inspect", "--format", "{{.Id}}", "box").Out.Trim();
        var pid = daemon.Docker("inspect", "--format", "{{.State.Pid}}", "box").Out.Trim();
        using var term = TerminalSession.Docker(daemon, "exec -it box sh");
        Assert.True(await term.WaitForAsync("# "), "no prompt: " + term.Screen + daemon.Log);
        // A job in the background too: a hang-up reaches only the foreground, the shim's sweep the rest of the session.
        await term.TypeAsync("sleep 777 & echo started-$((2*3))\r");
        Assert.True(await term.WaitForAsync("started-6"), "no answer: " + term.Screen);
        var shims = ExecShims(id);
        Assert.True(shims.Count == 1, $"{shims.Count} exec shims");
        var before = daemon.Docker("exec", "box", "ps", "-o", "args").Out;
        Assert.Contains("sleep 777", before, StringComparison.Ordinal);

        await daemon.KillHardAsync();
        // The shim sees its parent gone within 200 ms, then waits at most 2 s before SIGKILL.
        for (var i = 0; i < 100 && Directory.Exists($"/proc/{shims[0]}"); i++)
        {
            await Task.Delay(100);
        }
        Assert.False(Directory.Exists($"/proc/{shims[0]}"), "the exec shim outlived the daemon");
        await daemon.LaunchAsync();

        Assert.Equal($"running {pid}", daemon.Docker("inspect", "--format", "{{.State.Status}} {{.State.Pid}}", "box").Out.Trim());
        var after = daemon.Docker("exec", "box", "ps", "-o", "args");
        Assert.True(after.Exit == 0, after.Err + daemon.Log);
        var processes = after.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.DoesNotContain(processes, p => p.Contains("sleep 777", StringComparison.Ordinal) || p == "sh");
        Assert.Empty(Directory.GetFiles(Path.Combine(daemon.ExecRoot, "shim"), "*-exec-*"));
        Assert.Empty(ExecShims(id));
        // A new exec on a terminal works with the new daemon.
        using var again = TerminalSession.Docker(daemon, "exec -it box sh");
        Assert.True(await again.WaitForAsync("# "), "no prompt after the restart: " + again.Screen + daemon.Log);
        await again.TypeAsync("exit 2\r");
        Assert.Equal(2, await again.WaitForExitAsync());
    }

    /// <summary>
    /// An exec holder killed (SIGKILL) together with the daemon could not remove its files: the next
    /// daemon start does, and leaves those of a live holder alone; liveness is the recorded pid with
    /// its start time and a holder's command line, so a pid reused by another process, or a holder
    /// record whose start time is not the process's, counts as gone.
    /// </summary>
    [PrivilegedFact]
    public async Task DaemonAndExecHolderKilledTogether_NextStartRemovesTheHoldersFiles_LiveHoldersKept_ContainerGoesOn()
    {
        await using var daemon = await NetstackdProcess.StartAsync();
        await daemon.ImportBusyboxAsync();
        Assert.Equal(0, daemon.Docker("run", "-d", "--name", "box", "--network", "none", "busybox", "sleep", "600").Exit);
        var id = daemon.Docker("inspect", "--format", "{{.Id}}", "box").Out.Trim();
        var pid = daemon.Docker("inspect", "--format", "{{.State.Pid}}", "box").Out.Trim();
        var shimDir = Path.Combine(daemon.ExecRoot, "shim");
        using var term = TerminalSession.Docker(daemon, "exec -it box sh");
        Assert.True(await term.WaitForAsync("# "), "no prompt: " + term.Screen + daemon.Log);
        var shims = ExecShims(id);
        Assert.True(shims.Count == 1, $"{shims.Count} exec shims");
        var killed = Directory.GetFiles(shimDir, id[..12] + "-exec-*");
        Assert.Contains(killed, f => f.EndsWith(".holder", StringComparison.Ordinal));

        // Stand-ins, each a stem of its own: a live holder (a process whose command line is a
        // holder's for that control socket), the same process under a record with another start
        // time, and a live process that is no holder under its own right pid and start time.
        var liveStem = Path.Combine(shimDir, id[..12] + "-exec-0000000000aa");
        using var holder = System.Diagnostics.Process.Start("sh", ["-c", "sleep 600; :", "--container-shim", liveStem + ".sock"]);
        using var other = System.Diagnostics.Process.Start("sleep", ["600"]);
        try
        {
            var staleStem = Path.Combine(shimDir, id[..12] + "-exec-0000000000bb");
            var reusedStem = Path.Combine(shimDir, id[..12] + "-exec-0000000000cc");
            foreach (var (stem, process, startTime) in new[]
            {
                (liveStem, holder.Id, Netstack.Runtime.Containers.InitProcess.ReadStartTime(holder.Id)),
                (staleStem, holder.Id, Netstack.Runtime.Containers.InitProcess.ReadStartTime(holder.Id) + 1),
                (reusedStem, other.Id, Netstack.Runtime.Containers.InitProcess.ReadStartTime(other.Id)),
            })
            {
                File.WriteAllText(stem + ".holder", $"{process} {startTime}\n");
                File.WriteAllText(stem + ".pid", "1\n");
            }

            // Both at once, as a crash of the machine's init scope or an OOM kill of the group would.
            Assert.Equal(0, TestNamespace.TryRun("kill", "-9", shims[0].ToString(System.Globalization.CultureInfo.InvariantCulture), daemon.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)).ExitCode);
            await daemon.KillHardAsync();
            for (var i = 0; i < 100 && Directory.Exists($"/proc/{shims[0]}"); i++)
            {
                await Task.Delay(100);
            }
            Assert.False(Directory.Exists($"/proc/{shims[0]}"), "the exec shim outlived its SIGKILL");
            // Nobody has removed them yet: the holder died before it could.
            Assert.All(killed, f => Assert.True(File.Exists(f), f + " gone before the restart"));
            await daemon.LaunchAsync();

            Assert.All(killed, f => Assert.False(File.Exists(f), f + " left after the restart"));
            Assert.Empty(Directory.GetFiles(shimDir, Path.GetFileName(staleStem) + ".*"));
            Assert.Empty(Directory.GetFiles(shimDir, Path.GetFileName(reusedStem) + ".*"));
            Assert.True(File.Exists(liveStem + ".holder") && File.Exists(liveStem + ".pid"), "a live holder's files were removed");
            Assert.Equal($"running {pid}", daemon.Docker("inspect", "--format", "{{.State.Status}} {{.State.Pid}}", "box").Out.Trim());
            using var again = TerminalSession.Docker(daemon, "exec -it box sh");
            Assert.True(await again.WaitForAsync("# "), "no prompt after the restart: " + again.Screen + daemon.Log);
            await again.TypeAsync("exit 2\r");
            Assert.Equal(2, await again.WaitForExitAsync());
        }
        finally
        {
            holder.Kill(entireProcessTree: true);
            other.Kill();
            holder.WaitForExit();
            other.WaitForExit();
        }
        // The stand-in's files are the test's: a daemon start would now remove them as its holder is gone.
        foreach (var file in Directory.GetFiles(shimDir, Path.GetFileName(liveStem) + ".*"))
        {
            File.Delete(file);
        }
    }

    [PrivilegedFact]
    public async Task OurCli_RunItExecItAttach_OnATerminal()
    {
        await using var daemon = await NetstackdProcess.StartAsync();
        await daemon.ImportBusyboxAsync();
        using (var run = TerminalSession.Netstack(daemon, "run -it --name ours --network none busybox sh", rows: 40, columns: 120))
        {
            Assert.True(await run.WaitForAsync("# "), "no prompt: " + run.Screen + daemon.Log);
            await run.TypeAsync("echo $((6*7)); stty size\r");
            Assert.True(await run.WaitForAsync("\n42"), "no answer: " + run.Screen + daemon.Log);
            Assert.True(await run.WaitForAsync("40 120"), "size: " + run.Screen + daemon.Log);
            // Our CLI has the raw terminal: what was typed shows once (the container's echo), not twice.
            Assert.Single(System.Text.RegularExpressions.Regex.Matches(run.Screen, @"echo \$\(\(6\*7\)\)"));
            await run.TypeAsync("\u0010\u0011");
            Assert.Equal(0, await run.WaitForExitAsync());
        }
        Assert.Equal("running", daemon.Docker("inspect", "--format", "{{.State.Status}}", "ours").Out.Trim());

        using (var exec = TerminalSession.Netstack(daemon, "exec -it ours sh"))
        {
            Assert.True(await exec.WaitForAsync("# "), "no exec prompt: " + exec.Screen + daemon.Log);
            await exec.TypeAsync("echo exec-$((2*4))\r");
            Assert.True(await exec.WaitForAsync("exec-8"), "no exec answer: " + exec.Screen);
            await exec.TypeAsync("exit 4\r");
            Assert.Equal(4, await exec.WaitForExitAsync());
        }

        using (var attach = TerminalSession.Netstack(daemon, "attach ours"))
        {
            await attach.TypeAsync("echo attached-$((3*3))\r");
            Assert.True(await attach.WaitForAsync("attached-9"), "no attach answer: " + attach.Screen);
            await attach.TypeAsync("exit 3\r");
            Assert.Equal(3, await attach.WaitForExitAsync());
        }

        // --rm: the container is gone when the session ends; the code comes from the wait asked before the start.
        using (var removed = TerminalSession.Netstack(daemon, "run -it --rm --network none busybox sh"))
        {
            Assert.True(await removed.WaitForAsync("# "), "no prompt: " + removed.Screen + daemon.Log);
            await removed.TypeAsync("exit 7\r");
            Assert.Equal(7, await removed.WaitForExitAsync());
        }
        Assert.Equal("ours", daemon.Docker("ps", "-a", "--format", "{{.Names}}").Out.Trim());

        var piped = TestNamespace.TryRun("sh", "-c",
            $"printf 'a\\nb\\n' | {Path.Combine(AppContext.BaseDirectory, "netstack")} -H {daemon.HostUri} run -i --rm --network none busybox wc -l");
        Assert.True(piped.ExitCode == 0 && piped.Output.Trim() == "2", $"exit {piped.ExitCode} out \"{piped.Output}\" err \"{piped.Error}\"");
    }
}
