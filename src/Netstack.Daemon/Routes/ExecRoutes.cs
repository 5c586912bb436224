using System.Text;
using Microsoft.AspNetCore.Http.Features;
using Netstack.Api.Client;
using Netstack.Api.Contracts.Containers;
using Netstack.Api.Serialization;
using Netstack.Daemon.Containers;
using Netstack.Daemon.Http;
using ContainerState = Netstack.Runtime.Containers.ContainerState;

namespace Netstack.Daemon.Routes;

/// <summary>
/// The engine's exec routes, as the stock docker CLI uses them: create an exec instance, start it
/// and read its output, then ask for its exit code. Without a terminal on a hijacked start the
/// process's stdout and stderr stream live in multiplexed frames and the client's input (<c>-i</c>)
/// is its stdin until the client half-closes; a start that is not hijacked gets the whole output
/// once the command has ended. With one
/// (<c>exec -t</c> on a hijacked start) the process runs on a pseudo-terminal from runc's console
/// socket: its output streams live and raw, the client's input (<c>-i</c>) goes to the terminal
/// until the detach keys, and <c>POST /exec/{id}/resize</c> sets its size.
/// </summary>
internal static class ExecRoutes
{
    private const string RawStream = "application/vnd.docker.raw-stream";

    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapPost("/containers/{id}/exec", CreateAsync);
        routes.MapPost("/exec/{id}/start", StartAsync);
        routes.MapGet("/exec/{id}/json", InspectAsync);
        routes.MapPost("/exec/{id}/resize", ResizeAsync);
    }

    private static ExecSessions Sessions(HttpContext context) => context.RequestServices.GetRequiredService<ExecSessions>();

    private static ContainerService Service(HttpContext context) => context.RequestServices.GetRequiredService<ContainerService>();

    private static string Id(HttpContext context) => (string)context.Request.RouteValues["id"]!;

    private static ExecSession Find(HttpContext context) =>
        Sessions(context).Find(Id(context)) ?? throw ApiError.NotFound($"No such exec instance: {Id(context)}");

    private static async Task CreateAsync(HttpContext context)
    {
        var config = await HttpJson.ReadAsync(context, ApiJsonContext.Default.ExecConfig).ConfigureAwait(false);
        if (config.Cmd is not { Count: > 0 })
        {
            throw ApiError.BadRequest("Cmd: no exec command specified");
        }
        ContainerService.RefuseExecUser(config.User);
        if (config.Privileged)
        {
            throw ApiError.BadRequest("Privileged: privileged exec is not supported");
        }
        var container = Service(context).Runtime.Inspect(Id(context));
        if (container.State != ContainerState.Running)
        {
            throw ApiError.Conflict($"Container {container.Id} is not running");
        }
        // Env and working dir refused at the create, as the engine does, not at the start, whose
        // error the CLI cannot show once it has asked for the upgrade.
        Service(context).Runtime.CheckExec(container.Id, config.Cmd, config.Env, string.IsNullOrEmpty(config.WorkingDir) ? null : config.WorkingDir);
        var session = Sessions(context).Add(container.Id, config);
        await HttpJson.WriteAsync(context, new ExecCreateResponse { Id = session.Id }, ApiJsonContext.Default.ExecCreateResponse, StatusCodes.Status201Created).ConfigureAwait(false);
    }

    private static async Task StartAsync(HttpContext context)
    {
        var session = Find(context);
        var upgrade = context.Features.Get<IHttpUpgradeFeature>();
        var upgradable = upgrade is { IsUpgradableRequest: true };
        // Kestrel treats an upgrade request that has a body (the docker CLI sends one) as a plain
        // request, so only a body-less one can be read here after the upgrade check.
        var start = upgradable ? new ExecStartConfig() : await HttpJson.ReadAsync(context, ApiJsonContext.Default.ExecStartConfig, allowEmpty: true).ConfigureAwait(false);
        if (!session.TryBegin())
        {
            throw ApiError.Conflict($"exec {session.Id} has already been started");
        }
        if (session.Config.Tty && upgradable && !start.Detach)
        {
            await StreamTerminalAsync(context, session, upgrade!).ConfigureAwait(false);
            return;
        }
        if (upgradable && !start.Detach)
        {
            await StreamPlainAsync(context, session, upgrade!).ConfigureAwait(false);
            return;
        }
        if (start.Detach)
        {
            // Resolved now: the request's services are gone once the answer has been sent.
            var service = Service(context);
            _ = Task.Run(() => RunAsync(service, session, CancellationToken.None));
            context.Response.StatusCode = StatusCodes.Status200OK;
            return;
        }
        // Not RequestAborted: the docker CLI closes its sending side of a hijacked connection at
        // once when it has no stdin to send, which Kestrel reports as an aborted request; the
        // answer must still go out on the receiving side.
        var output = await RunAsync(Service(context), session, CancellationToken.None).ConfigureAwait(false);
        context.Response.ContentType = RawStream;
        if (upgradable)
        {
            context.Response.Headers.Connection = "Upgrade";
            context.Response.Headers.Upgrade = "tcp";
            var stream = await upgrade!.UpgradeAsync().ConfigureAwait(false);
            await stream.WriteAsync(output, CancellationToken.None).ConfigureAwait(false);
            await stream.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            return;
        }
        // The docker client reads the raw stream from the connection right after the headers and
        // accepts a 200 in place of 101 when the daemon closes the connection (its support for
        // daemons older than Go 1.8), so: the whole output, its length, and Connection: close.
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.Headers.Connection = "close";
        context.Response.ContentLength = output.Length;
        await context.Response.Body.WriteAsync(output, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>An exec with a terminal: started before the 101 (a refusal is still an HTTP error), then streamed both ways.</summary>
    private static async Task StreamTerminalAsync(HttpContext context, ExecSession session, IHttpUpgradeFeature upgrade)
    {
        var service = Service(context);
        var time = context.RequestServices.GetRequiredService<TimeProvider>();
        var keys = DetachKeys.Parse(session.Config.DetachKeys, "DetachKeys");
        ContainerService.RefuseExecUser(session.Config.User);
        using var exec = await service.Runtime.StartTerminalExecAsync(session.ContainerId, session.Config.Cmd ?? [], session.Config.Env,
            string.IsNullOrEmpty(session.Config.WorkingDir) ? null : session.Config.WorkingDir, CancellationToken.None).ConfigureAwait(false);
        session.Running = true;
        session.Terminal = exec;
        using var detach = new CancellationTokenSource();
        _ = ApplyPendingSizeAsync(session, exec);
        context.Response.ContentType = RawStream;
        context.Response.Headers.Connection = "Upgrade";
        context.Response.Headers.Upgrade = "tcp";
        var duplex = await upgrade.UpgradeAsync().ConfigureAwait(false);
        var input = session.Config.AttachStdin ? PumpInputAsync(exec, duplex, keys, detach) : Task.CompletedTask;
        try
        {
            var buffer = new byte[16 * 1024];
            int n;
            while ((n = await exec.Output.ReadAsync(buffer, detach.Token).ConfigureAwait(false)) > 0)
            {
                await duplex.WriteAsync(buffer.AsMemory(0, n), detach.Token).ConfigureAwait(false);
                await duplex.FlushAsync(detach.Token).ConfigureAwait(false);
            }
            var code = await exec.Exit.ConfigureAwait(false);
            if (code is 126 or 127 && exec.Error.Length > 0)
            {
                await duplex.WriteAsync(Encoding.UTF8.GetBytes(exec.Error.Replace("\n", "\r\n", StringComparison.Ordinal)), detach.Token).ConfigureAwait(false);
            }
            (session.ExitCode, session.Running) = (code, false);
        }
        catch (OperationCanceledException) when (detach.IsCancellationRequested)
        {
            // Detached: the process goes on; its end is recorded when it comes.
            _ = exec.Exit.ContinueWith(t => (session.ExitCode, session.Running) = (t.Result, false), TaskScheduler.Default);
        }
        catch (IOException)
        {
            // The client went away.
        }
        finally
        {
            await detach.CancelAsync().ConfigureAwait(false);
            await input.ConfigureAwait(false);
            session.Terminal = null;
        }
    }

    /// <summary>
    /// An exec without a terminal on a hijacked start (<c>docker exec [-i]</c>): started before the
    /// 101 (a refusal is still an HTTP error), then its stdout and stderr go out live in multiplexed
    /// frames (streams 1 and 2) while what the client sends (with AttachStdin) is the process's
    /// stdin, raw; the client's half-close is the process's EOF. The stream ends when the process
    /// has ended and its output has gone out, with the exit code recorded first, so the client's
    /// inspect that follows reads it.
    /// </summary>
    private static async Task StreamPlainAsync(HttpContext context, ExecSession session, IHttpUpgradeFeature upgrade)
    {
        var service = Service(context);
        using var exec = service.Runtime.StartStreamExec(session.ContainerId, session.Config.Cmd ?? [], session.Config.Env,
            string.IsNullOrEmpty(session.Config.WorkingDir) ? null : session.Config.WorkingDir);
        session.Running = true;
        context.Response.ContentType = RawStream;
        context.Response.Headers.Connection = "Upgrade";
        context.Response.Headers.Upgrade = "tcp";
        Stream duplex;
        try
        {
            duplex = await upgrade.UpgradeAsync().ConfigureAwait(false);
        }
        catch
        {
            // The client is gone before the stream began: the process reads EOF, and a write of its
            // gets EPIPE once the disposal has closed our ends of its pipes.
            session.Running = false;
            throw;
        }
        if (!session.Config.AttachStdin)
        {
            exec.CloseInput();
        }
        // Not RequestAborted: a client without stdin half-closes at once; only a failed write says it is gone.
        using var clientGone = new CancellationTokenSource();
        var input = session.Config.AttachStdin ? PumpPlainInputAsync(exec, duplex, clientGone.Token) : Task.CompletedTask;
        var writes = new SemaphoreSlim(1, 1);
        using (writes)
        {
            await Task.WhenAll(
                PumpFramesAsync(exec.Output, LogStream.Stdout, session.Config.AttachStdout, duplex, writes, clientGone),
                PumpFramesAsync(exec.Error, LogStream.Stderr, session.Config.AttachStderr, duplex, writes, clientGone)).ConfigureAwait(false);
        }
        (session.ExitCode, session.Running) = (await exec.Exit.ConfigureAwait(false), false);
        await clientGone.CancelAsync().ConfigureAwait(false);
        await input.ConfigureAwait(false);
    }

    /// <summary>
    /// One of the process's output pipes to the client in frames of <paramref name="kind"/>, until
    /// its end. Once the client is gone (a write failed) the output is still read, and dropped, so
    /// the process never blocks on a full pipe.
    /// </summary>
    private static async Task PumpFramesAsync(Stream from, byte kind, bool wanted, Stream client, SemaphoreSlim writes, CancellationTokenSource clientGone)
    {
        var buffer = new byte[LogStream.HeaderLength + 32 * 1024];
        int n;
        while ((n = await from.ReadAsync(buffer.AsMemory(LogStream.HeaderLength), CancellationToken.None).ConfigureAwait(false)) > 0)
        {
            if (!wanted || clientGone.IsCancellationRequested)
            {
                continue;
            }
            LogStream.WriteHeader(buffer, kind, n);
            await writes.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            try
            {
                await client.WriteAsync(buffer.AsMemory(0, LogStream.HeaderLength + n), CancellationToken.None).ConfigureAwait(false);
                await client.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                await clientGone.CancelAsync().ConfigureAwait(false);
            }
            finally
            {
                writes.Release();
            }
        }
    }

    /// <summary>What the client sends, raw, to the process's stdin; the end of it (or of the client) closes that stdin.</summary>
    private static async Task PumpPlainInputAsync(Netstack.Runtime.Containers.StreamExec exec, Stream client, CancellationToken ended)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int n;
            while ((n = await client.ReadAsync(buffer, ended).ConfigureAwait(false)) > 0)
            {
                await exec.Input.WriteAsync(buffer.AsMemory(0, n), ended).ConfigureAwait(false);
                await exec.Input.FlushAsync(ended).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The process stopped reading (EPIPE), the client went away, or the exec has ended.
        }
        finally
        {
            exec.CloseInput();
        }
    }

    private static async Task ApplyPendingSizeAsync(ExecSession session, Netstack.Runtime.Containers.TerminalExec exec)
    {
        try
        {
            var console = await exec.ConsoleAsync().ConfigureAwait(false);
            if (session.PendingSize is { } size)
            {
                console.Resize(size.Rows, size.Columns);
            }
        }
#pragma warning disable CA1031 // A size that cannot be set must not end the exec.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private static async Task PumpInputAsync(Netstack.Runtime.Containers.TerminalExec exec, Stream client, DetachKeys keys, CancellationTokenSource detach)
    {
        var scanner = keys.NewScanner();
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var n = await client.ReadAsync(buffer, detach.Token).ConfigureAwait(false);
                if (n == 0)
                {
                    return; // the client sends no more; its output goes on until the process ends
                }
                var (forward, detached) = scanner.Feed(buffer.AsSpan(0, n));
                if (forward.Length > 0)
                {
                    var console = await exec.ConsoleAsync(detach.Token).ConfigureAwait(false);
                    await console.WriteAsync(forward, detach.Token).ConfigureAwait(false);
                }
                if (detached)
                {
                    await detach.CancelAsync().ConfigureAwait(false);
                    return;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or Netstack.Runtime.RuntimeException)
        {
            // The exec or the client has ended.
        }
    }

    private static async Task ResizeAsync(HttpContext context)
    {
        var session = Find(context);
        var (height, width) = AttachRoutes.TerminalSize(context);
        if (!session.Config.Tty)
        {
            throw ApiError.BadRequest($"Tty: exec {session.Id} has no terminal to resize (created without Tty)");
        }
        session.PendingSize = (height, width);
        if (session.Terminal is { } exec)
        {
            try
            {
                var console = await exec.ConsoleAsync(context.RequestAborted).ConfigureAwait(false);
                console.Resize(height, width);
            }
            catch (Netstack.Runtime.RuntimeException)
            {
                // Its process has ended meanwhile: nothing to resize.
            }
        }
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    private static Task InspectAsync(HttpContext context)
    {
        var session = Find(context);
        return HttpJson.WriteAsync(context, new ExecInspect
        {
            Id = session.Id,
            Running = session.Running,
            ExitCode = session.ExitCode,
            OpenStdin = session.Config.AttachStdin,
            OpenStdout = session.Config.AttachStdout,
            OpenStderr = session.Config.AttachStderr,
            ContainerId = session.ContainerId,
        }, ApiJsonContext.Default.ExecInspect);
    }

    /// <summary>Runs the command and returns what the client gets: raw output with a TTY, else stdout and stderr frames.</summary>
    private static async Task<byte[]> RunAsync(ContainerService service, ExecSession session, CancellationToken cancellationToken)
    {
        session.Running = true;
        string stdout;
        string stderr;
        try
        {
            var result = await service.ExecAsync(session.ContainerId, new ContainerExecRequest
            {
                Cmd = session.Config.Cmd,
                Env = session.Config.Env,
                WorkingDir = session.Config.WorkingDir,
            }, cancellationToken).ConfigureAwait(false);
            (session.ExitCode, stdout, stderr) = (result.ExitCode, result.Stdout, result.Stderr);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The answer is already promised as a stream: the reason goes to stderr, 126 as the
            // shell uses for a command that cannot be run.
            (session.ExitCode, stdout, stderr) = (126, "", e.Message + "\n");
        }
        finally
        {
            session.Running = false;
        }
        var buffer = new MemoryStream();
        if (session.Config.Tty)
        {
            buffer.Write(Encoding.UTF8.GetBytes(stdout + stderr));
            return buffer.ToArray();
        }
        var header = new byte[8];
        foreach (var (kind, wanted, text) in new[] { (LogStream.Stdout, session.Config.AttachStdout, stdout), (LogStream.Stderr, session.Config.AttachStderr, stderr) })
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            if (wanted && bytes.Length > 0)
            {
                LogStream.WriteHeader(header, kind, bytes.Length);
                buffer.Write(header);
                buffer.Write(bytes);
            }
        }
        return buffer.ToArray();
    }
}
