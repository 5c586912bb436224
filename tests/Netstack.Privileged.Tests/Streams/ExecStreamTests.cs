using System.Text.Json;
using Netstack.Privileged.Tests.Api;
using Netstack.Privileged.Tests.Terminals;
using Netstack.TestKit;
using Xunit;

namespace Netstack.Privileged.Tests.Streams;

/// <summary>
/// The hijacked exec start (issue 18's empty docker exec): the client half-closes its side as soon
/// as it has nothing to send, and the exec's output and exit code must still arrive whole, in
/// multiplexed frames, before the daemon closes the connection.
/// </summary>
public sealed class ExecStreamTests
{
    private static async Task<string> CreateExecAsync(NetstackdProcess daemon, string container, string cmdJson, bool tty = false)
    {
        var (status, body) = await RawEngineClient.RequestAsync(daemon.SocketPath, "POST", $"/v1.41/containers/{container}/exec",
            $$"""{"AttachStdout":true,"AttachStderr":true,"Tty":{{(tty ? "true" : "false")}},"Cmd":{{cmdJson}}}""");
        Assert.True(status == 201, $"exec create: {status} {body}");
        using var doc = JsonDocument.Parse(body);
        return doc.RootElement.GetProperty("Id").GetString()!;
    }

    private static async Task<int> ExitCodeAsync(NetstackdProcess daemon, string exec)
    {
        var (status, body) = await RawEngineClient.RequestAsync(daemon.SocketPath, "GET", $"/v1.41/exec/{exec}/json");
        Assert.Equal(200, status);
        using var doc = JsonDocument.Parse(body);
        Assert.False(doc.RootElement.GetProperty("Running").GetBoolean(), "exec still running after its stream ended: " + body);
        return doc.RootElement.GetProperty("ExitCode").GetInt32();
    }

    [PrivilegedTheory]
    [InlineData(HalfClose.AfterRequest)]
    [InlineData(HalfClose.AfterResponseHead)]
    public async Task ExecStart_ClientHalfClosesAtOnce_OutputArrivesWholeBeforeTheClose(HalfClose halfClose)
    {
        await using var daemon = await NetstackdProcess.StartAsync();
        await daemon.ImportBusyboxAsync();
        var run = await daemon.NetstackAsync("run", "-d", "--name", "box", "--network", "none", "busybox", "sleep", "600");
        Assert.True(run.Exit == 0, run.Err + daemon.Log);

        // Several rounds: the loss was a race between the client's FIN and the daemon's writes.
        for (var round = 0; round < 10; round++)
        {
            var exec = await CreateExecAsync(daemon, "box", """["sh","-c","echo out-line; echo err-line >&2; exit 3"]""");
            var (head, stream) = await RawEngineClient.HijackAsync(daemon.SocketPath, $"/v1.41/exec/{exec}/start", """{"Detach":false,"Tty":false}""", halfClose);
            Assert.True(RawEngineClient.StatusOf(head) == 101, $"round {round}: {head}");
            // API 1.41 names the framed stream raw-stream too (multiplexed-stream came with 1.42).
            Assert.Contains("Content-Type: application/vnd.docker.raw-stream", head, StringComparison.OrdinalIgnoreCase);
            var (stdout, stderr) = RawEngineClient.Demultiplex(stream);
            Assert.True(stdout == "out-line\n" && stderr == "err-line\n", $"round {round} ({halfClose}): out \"{stdout}\" err \"{stderr}\"\n{daemon.Log}");
            Assert.Equal(3, await ExitCodeAsync(daemon, exec));
        }
    }

    [PrivilegedFact]
    public async Task ExecStart_WithTty_RawStreamArrivesBeforeTheClose()
    {
        await using var daemon = await NetstackdProcess.StartAsync();
        await daemon.ImportBusyboxAsync();
        var run = await daemon.NetstackAsync("run", "-d", "--name", "box", "--network", "none", "busybox", "sleep", "600");
        Assert.True(run.Exit == 0, run.Err + daemon.Log);
        var exec = await CreateExecAsync(daemon, "box", """["echo","with-tty"]""", tty: true);
        var (head, stream) = await RawEngineClient.HijackAsync(daemon.SocketPath, $"/v1.41/exec/{exec}/start", """{"Detach":false,"Tty":true}""", HalfClose.AfterRequest);
        Assert.True(RawEngineClient.StatusOf(head) == 101, head);
        Assert.Contains("Content-Type: application/vnd.docker.raw-stream", head, StringComparison.OrdinalIgnoreCase);
        // A terminal turns \n into \r\n; without one the text arrives as written.
        Assert.Contains("with-tty", System.Text.Encoding.UTF8.GetString(stream), StringComparison.Ordinal);
        Assert.Equal(0, await ExitCodeAsync(daemon, exec));
    }

    /// <summary><c>printf INPUT | docker ARGS</c> (the stock CLI, its stdin a pipe, not a terminal) against the daemon.</summary>
    private static (int ExitCode, string Output, string Error) DockerPiped(NetstackdProcess daemon, string input, string args)
    {
        var config = Path.Combine(daemon.Directory, "docker-config");
        Directory.CreateDirectory(config);
        return TestNamespace.TryRun("sh", "-c", $"printf '{input}' | DOCKER_CONFIG={config} {NetstackdProcess.DockerPath} -H {daemon.HostUri} {args}");
    }

    [PrivilegedFact]
    public async Task DockerExecI_WithoutTty_StdinReachesTheProcess_ItsEndClosesIt_StdoutAndStderrApart()
    {
        await using var daemon = await NetstackdProcess.StartAsync();
        await daemon.ImportBusyboxAsync();
        Assert.Equal(0, daemon.Docker("run", "-d", "--name", "box", "--network", "none", "busybox", "sleep", "600").Exit);

        var cat = DockerPiped(daemon, "hello\\n", "exec -i box cat");
        Assert.True(cat.ExitCode == 0 && cat.Output == "hello\n", $"exit {cat.ExitCode} out \"{cat.Output}\" err \"{cat.Error}\"\n{daemon.Log}");
        var read = DockerPiped(daemon, "world\\n", "exec -i box sh -c 'read x; echo got $x; echo err-$x >&2; exit 5'");
        Assert.True(read.ExitCode == 5 && read.Output == "got world\n" && read.Error == "err-world\n", $"exit {read.ExitCode} out \"{read.Output}\" err \"{read.Error}\"");
        // wc answers only after the EOF: the end of the client's input closed the process's stdin.
        var counted = DockerPiped(daemon, "a\\nb\\nc\\n", "exec -i box wc -l");
        Assert.True(counted.ExitCode == 0 && counted.Output.Trim() == "3", $"exit {counted.ExitCode} out \"{counted.Output}\" err \"{counted.Error}\"");
        // Without -i the process reads EOF at once, and its output still streams.
        var noStdin = DockerPiped(daemon, "ignored\\n", "exec box sh -c 'cat; echo done'");
        Assert.True(noStdin.ExitCode == 0 && noStdin.Output == "done\n", $"exit {noStdin.ExitCode} out \"{noStdin.Output}\" err \"{noStdin.Error}\"");

        // Our CLI the same way.
        var ours = TestNamespace.TryRun("sh", "-c",
            $"printf 'x\\ny\\n' | {Path.Combine(AppContext.BaseDirectory, "netstack")} -H {daemon.HostUri} exec -i box sh -c 'wc -l; echo to-err >&2; exit 2'");
        Assert.True(ours.ExitCode == 2 && ours.Output.Trim() == "2" && ours.Error == "to-err\n", $"exit {ours.ExitCode} out \"{ours.Output}\" err \"{ours.Error}\"\n{daemon.Log}");

        // The wire: stdin raw after the request, output in frames of streams 1 and 2, exit code recorded before the close.
        var (status, body) = await RawEngineClient.RequestAsync(daemon.SocketPath, "POST", "/v1.41/containers/box/exec",
            """{"AttachStdin":true,"AttachStdout":true,"AttachStderr":true,"Tty":false,"Cmd":["sh","-c","read a; echo out-$a; echo err-$a >&2; exit 7"]}""");
        Assert.True(status == 201, $"{status} {body}");
        using var doc = JsonDocument.Parse(body);
        var exec = doc.RootElement.GetProperty("Id").GetString()!;
        var (head, stream) = await RawEngineClient.HijackAsync(daemon.SocketPath, $"/v1.41/exec/{exec}/start", """{"Detach":false,"Tty":false}""",
            HalfClose.AfterRequest, "wire\n"u8.ToArray());
        Assert.True(RawEngineClient.StatusOf(head) == 101, head);
        var (stdout, stderr) = RawEngineClient.Demultiplex(stream);
        Assert.True(stdout == "out-wire\n" && stderr == "err-wire\n", $"out \"{stdout}\" err \"{stderr}\"");
        Assert.Equal(7, await ExitCodeAsync(daemon, exec));
        // Nothing left running in the container but its own process.
        var ps = daemon.Docker("exec", "box", "ps", "-o", "args");
        Assert.True(ps.Exit == 0 && !ps.Out.Contains("cat", StringComparison.Ordinal) && !ps.Out.Contains("wc", StringComparison.Ordinal), ps.Out + ps.Err);
    }

    [PrivilegedFact]
    public async Task DockerExecI_BadInput_ClearErrors_NothingStarted()
    {
        await using var daemon = await NetstackdProcess.StartAsync();
        await daemon.ImportBusyboxAsync();
        Assert.Equal(0, daemon.Docker("run", "-d", "--name", "box", "--network", "none", "busybox", "sleep", "600").Exit);
        Assert.Equal(0, daemon.Docker("create", "--name", "idle", "--network", "none", "busybox", "cat").Exit);

        var missing = DockerPiped(daemon, "x\\n", "exec -i nosuch cat");
        Assert.True(missing.ExitCode != 0 && missing.Error.Contains("nosuch", StringComparison.Ordinal), $"exit {missing.ExitCode} err \"{missing.Error}\"");
        var stopped = DockerPiped(daemon, "x\\n", "exec -i idle cat");
        Assert.True(stopped.ExitCode != 0 && stopped.Error.Contains("is not running", StringComparison.Ordinal), $"exit {stopped.ExitCode} err \"{stopped.Error}\"");
        var workdir = DockerPiped(daemon, "x\\n", "exec -i -w relative/dir box cat");
        Assert.True(workdir.ExitCode != 0 && workdir.Error.Contains("relative/dir", StringComparison.Ordinal), $"exit {workdir.ExitCode} err \"{workdir.Error}\"");
        var env = DockerPiped(daemon, "x\\n", "exec -i -e =bad box cat");
        Assert.True(env.ExitCode != 0 && env.Error.Contains("=bad", StringComparison.Ordinal), $"exit {env.ExitCode} err \"{env.Error}\"");
        var ps = daemon.Docker("exec", "box", "ps", "-o", "args");
        Assert.True(ps.Exit == 0 && !ps.Out.Contains("cat", StringComparison.Ordinal), ps.Out + ps.Err);
    }

    /// <summary>
    /// Docker's exit codes for an exec whose process cannot be run: 127 and runc's "executable file
    /// not found in $PATH" for a command that is not there, 126 for one that is but cannot be
    /// executed; the same through exec, exec -i and exec -it, with the stock CLI and ours. A
    /// process that runs and exits 255 (runc's own failure status) keeps its code.
    /// </summary>
    [PrivilegedFact]
    public async Task Exec_CommandNotFound127_NotExecutable126_EveryKind_BothClis()
    {
        await using var daemon = await NetstackdProcess.StartAsync();
        await daemon.ImportBusyboxAsync();
        Assert.Equal(0, daemon.Docker("run", "-d", "--name", "box", "--network", "none", "busybox", "sleep", "600").Exit);
        // A file that is there but has no execute bit.
        Assert.Equal(0, daemon.Docker("exec", "box", "sh", "-c", "echo 'echo hi' > /noexec; chmod 644 /noexec").Exit);
        var ours = Path.Combine(AppContext.BaseDirectory, "netstack");
        var config = Path.Combine(daemon.Directory, "docker-config");
        Directory.CreateDirectory(config);
        const string NotFound = "exec: \"nosuch\": executable file not found in $PATH";

        foreach (var cli in new[] { $"DOCKER_CONFIG={config} {NetstackdProcess.DockerPath}", ours })
        {
            foreach (var flags in new[] { "", "-i" })
            {
                var missing = TestNamespace.TryRun("sh", "-c", $"echo | {cli} -H {daemon.HostUri} exec {flags} box nosuch");
                Assert.True(missing.ExitCode == 127 && (missing.Output + missing.Error).Contains(NotFound, StringComparison.Ordinal),
                    $"{cli} exec {flags} nosuch: exit {missing.ExitCode} out \"{missing.Output}\" err \"{missing.Error}\"\n{daemon.Log}");
                var absent = TestNamespace.TryRun("sh", "-c", $"echo | {cli} -H {daemon.HostUri} exec {flags} box /bin/nosuch");
                Assert.True(absent.ExitCode == 127, $"{cli} exec {flags} /bin/nosuch: exit {absent.ExitCode} out \"{absent.Output}\" err \"{absent.Error}\"");
                var denied = TestNamespace.TryRun("sh", "-c", $"echo | {cli} -H {daemon.HostUri} exec {flags} box /noexec");
                Assert.True(denied.ExitCode == 126 && (denied.Output + denied.Error).Contains("permission denied", StringComparison.Ordinal),
                    $"{cli} exec {flags} /noexec: exit {denied.ExitCode} out \"{denied.Output}\" err \"{denied.Error}\"");
                var ran = TestNamespace.TryRun("sh", "-c", $"echo | {cli} -H {daemon.HostUri} exec {flags} box sh -c 'echo exec failed: not really >&2; exit 255'");
                Assert.True(ran.ExitCode == 255, $"{cli} exec {flags} exit 255: exit {ran.ExitCode} err \"{ran.Error}\"");
            }
        }

        // exec -it, on a terminal of the test's own.
        foreach (var (open, name) in new (Func<TerminalSession>, string)[] { (() => TerminalSession.Docker(daemon, "exec -it box nosuch"), "docker"), (() => TerminalSession.Netstack(daemon, "exec -it box nosuch"), "netstack") })
        {
            using (var term = open())
            {
                Assert.True(await term.WaitForExitAsync() == 127 && term.Screen.Contains(NotFound, StringComparison.Ordinal), $"{name} exec -it nosuch: {term.Screen}\n{daemon.Log}");
            }
        }
        using (var denied = TerminalSession.Docker(daemon, "exec -it box /noexec"))
        {
            Assert.True(await denied.WaitForExitAsync() == 126 && denied.Screen.Contains("permission denied", StringComparison.Ordinal), $"docker exec -it /noexec: {denied.Screen}");
        }
        using (var ran = TerminalSession.Docker(daemon, "exec -it box sh -c 'exit 125'"))
        {
            // The holder's own failure status, given by a process that ran, is the process's.
            Assert.Equal(125, await ran.WaitForExitAsync());
        }
        Assert.Equal("running", daemon.Docker("inspect", "--format", "{{.State.Status}}", "box").Out.Trim());
    }
}
