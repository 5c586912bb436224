using System.Text.Json;
using Netstack.Privileged.Tests.Api;
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
}
