using System.Globalization;
using Microsoft.AspNetCore.Http.Features;
using Netstack.Api.Client;
using Netstack.Daemon.Containers;
using Netstack.Daemon.Http;
using Netstack.Runtime;
using Netstack.Runtime.Containers;

namespace Netstack.Daemon.Routes;

/// <summary>
/// <c>POST /containers/{id}/attach</c> on a hijacked connection, as the docker CLI uses it for
/// <c>docker run</c> without <c>-d</c> (attached before the start), <c>docker start -a</c> and
/// <c>docker attach</c>: the container's output from now on (from its first byte with
/// <c>logs=1</c>), until the run in progress, or the next one, has ended. Without a terminal the
/// output comes in multiplexed frames: stdout as stream 1 and stderr as stream 2 (the runtime keeps
/// them in two files), each only when asked for; with one (<c>-t</c>) it is the terminal's raw
/// bytes. With <c>stdin=1</c> on a <c>-i</c> container, what the client sends goes
/// to the container's stdin, as Docker does it: the detach keys (<c>detachKeys</c>, default
/// ctrl-p ctrl-q) end the attach and leave the container running; the end of the client's input
/// closes the container's stdin when it was created with StdinOnce and no terminal
/// (<c>docker run -i</c>), else it ends the attach.
/// <c>POST /containers/{id}/resize?h=&amp;w=</c> sets a <c>-t</c> container's terminal size.
/// </summary>
internal static class AttachRoutes
{
    // API 1.41 calls the framed stream raw-stream too (multiplexed-stream came with 1.42).
    private const string RawStream = "application/vnd.docker.raw-stream";

    // How often the log file is read again while the container runs; its exit is an event, not polled.
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapPost("/containers/{id}/attach", AttachAsync);
        routes.MapPost("/containers/{id}/resize", ResizeAsync);
    }

    private static async Task AttachAsync(HttpContext context)
    {
        var service = context.RequestServices.GetRequiredService<ContainerService>();
        var time = context.RequestServices.GetRequiredService<TimeProvider>();
        var info = service.Runtime.Inspect((string)context.Request.RouteValues["id"]!);
        var stream = HttpJson.QueryBool(context, "stream");
        var logs = HttpJson.QueryBool(context, "logs");
        var stdout = HttpJson.QueryBool(context, "stdout");
        var stderr = HttpJson.QueryBool(context, "stderr");
        var stdin = HttpJson.QueryBool(context, "stdin") && info.OpenStdin;
        var keys = DetachKeys.Parse(context.Request.Query["detachKeys"].ToString());
        var upgrade = context.Features.Get<IHttpUpgradeFeature>();
        if (upgrade is not { IsUpgradableRequest: true })
        {
            throw ApiError.BadRequest("attach needs a hijacked connection: send Connection: Upgrade and Upgrade: tcp");
        }

        var log = service.Runtime.OpenLogs(info.Id);
        await using (log.ConfigureAwait(false))
        {
            if (!logs)
            {
                log.SeekToEnd();
            }
            using var waitCancel = new CancellationTokenSource();
            using var detach = new CancellationTokenSource();
            // Registered before the 101: the CLI starts the container once it has the answer.
            var exit = stream ? service.BeginWaitAsync(info.Id, ContainerService.WaitNextExit, waitCancel.Token) : Task.FromResult(0);
            context.Response.ContentType = RawStream;
            context.Response.Headers.Connection = "Upgrade";
            context.Response.Headers.Upgrade = "tcp";
            var duplex = await upgrade.UpgradeAsync().ConfigureAwait(false);
            var input = stdin && stream ? PumpInputAsync(service.Runtime, info, duplex, keys, exit, detach, time) : Task.CompletedTask;
            try
            {
                // Not RequestAborted: the CLI half-closes at once when it has no stdin; only a failed write means it is gone.
                await PumpAsync(log, duplex, exit, stdout, stderr, raw: info.Tty, time, detach.Token).ConfigureAwait(false);
            }
            catch (IOException)
            {
                // The client went away.
            }
            catch (OperationCanceledException) when (detach.IsCancellationRequested)
            {
                // Detached, or the client's input ended: the container goes on.
            }
            finally
            {
                await waitCancel.CancelAsync().ConfigureAwait(false);
                await detach.CancelAsync().ConfigureAwait(false);
                await exit.ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
                await input.ConfigureAwait(false);
            }
        }
    }

    /// <param name="raw">A terminal's output: its bytes as they are, no frames (one stream).</param>
    private static async Task PumpAsync(ContainerLog log, Stream client, Task exit, bool stdout, bool stderr, bool raw, TimeProvider time, CancellationToken detached)
    {
        var buffer = new byte[64 * 1024];
        var header = new byte[8];
        var draining = false;
        while (true)
        {
            detached.ThrowIfCancellationRequested();
            var (stream, n) = await log.ReadAsync(buffer, detached).ConfigureAwait(false);
            if (n > 0)
            {
                if (stream == ContainerLog.Stdout ? stdout : stderr)
                {
                    if (!raw)
                    {
                        LogStream.WriteHeader(header, stream, n);
                        await client.WriteAsync(header, detached).ConfigureAwait(false);
                    }
                    await client.WriteAsync(buffer.AsMemory(0, n), detached).ConfigureAwait(false);
                    await client.FlushAsync(detached).ConfigureAwait(false);
                }
                continue;
            }
            if (draining)
            {
                // Everything the run wrote before its exit has been sent: the end of the stream says it has ended.
                return;
            }
            if (exit.IsCompleted)
            {
                // One more read: output written just before the exit was seen must not be lost.
                draining = true;
                continue;
            }
            await Task.WhenAny(exit, Task.Delay(PollInterval, time, detached)).ConfigureAwait(false);
        }
    }

    /// <summary>The client's input to the container's stdin, until the detach keys, the input's end or the run's end.</summary>
    private static async Task PumpInputAsync(ContainerRuntime runtime, ContainerInfo info, Stream client, DetachKeys keys, Task exit, CancellationTokenSource detach, TimeProvider time)
    {
        var scanner = keys.NewScanner();
        var buffer = new byte[16 * 1024];
        ContainerConsole? console = null;
        var closeStdin = info.StdinOnce && !info.Tty;
        try
        {
            while (true)
            {
                int n;
                try
                {
                    n = await client.ReadAsync(buffer, detach.Token).ConfigureAwait(false);
                }
                catch (IOException)
                {
                    n = 0; // the client is gone: as the end of its input
                }
                if (n == 0)
                {
                    break;
                }
                var (forward, detached) = scanner.Feed(buffer.AsSpan(0, n));
                if (forward.Length > 0)
                {
                    console ??= await WaitForConsoleAsync(runtime, info.Id, exit, time, detach.Token).ConfigureAwait(false);
                    if (console is null)
                    {
                        return; // the run ended before its stdin could be reached
                    }
                    await console.WriteAsync(forward, detach.Token).ConfigureAwait(false);
                }
                if (detached)
                {
                    break;
                }
            }
            if (closeStdin)
            {
                // docker run -i: the input's end is the container's stdin's end; the output goes on.
                if (await WaitForConsoleAsync(runtime, info.Id, exit, time, detach.Token).ConfigureAwait(false) is not null)
                {
                    await runtime.CloseStdinAsync(info.Id).ConfigureAwait(false);
                }
                return;
            }
            await detach.CancelAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (detach.IsCancellationRequested)
        {
            // The attach has ended.
        }
        catch (Exception e) when (e is RuntimeException or IOException or ObjectDisposedException)
        {
            // The container ended or was removed meanwhile: nothing to write to.
        }
    }

    /// <summary>
    /// The container's stdin once it runs: <c>docker run</c> attaches before it starts the
    /// container, so early keystrokes wait here. Null when the run ends first.
    /// </summary>
    private static async Task<ContainerConsole?> WaitForConsoleAsync(ContainerRuntime runtime, string id, Task exit, TimeProvider time, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return await runtime.OpenConsoleAsync(id, cancellationToken).ConfigureAwait(false);
            }
            catch (RuntimeException e) when (e.Kind == RuntimeErrorKind.Conflict && !exit.IsCompleted)
            {
                await Task.WhenAny(exit, Task.Delay(PollInterval, time, cancellationToken)).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
            }
            catch (RuntimeException e) when (e.Kind == RuntimeErrorKind.Conflict)
            {
                return null;
            }
        }
    }

    private static async Task ResizeAsync(HttpContext context)
    {
        var service = context.RequestServices.GetRequiredService<ContainerService>();
        var id = (string)context.Request.RouteValues["id"]!;
        var (height, width) = TerminalSize(context);
        var info = service.Runtime.Inspect(id);
        if (!info.Tty)
        {
            throw ApiError.BadRequest($"Tty: container {info.Name} has no terminal to resize (created without -t)");
        }
        if (info.State != ContainerState.Running)
        {
            throw ApiError.Conflict($"Container {info.Id} is not running");
        }
        await service.Runtime.ResizeAsync(info.Id, height, width, context.RequestAborted).ConfigureAwait(false);
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    /// <summary>The <c>h</c> and <c>w</c> query parameters of a resize: rows and columns, 0 to 65535 each.</summary>
    internal static (ushort Height, ushort Width) TerminalSize(HttpContext context)
    {
        ushort Read(string name, string what)
        {
            var text = context.Request.Query[name].ToString();
            return ushort.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
                ? value
                : throw ApiError.BadRequest($"{name}: invalid terminal {what} \"{text}\": expected a whole number from 0 to 65535");
        }
        return (Read("h", "height"), Read("w", "width"));
    }
}
