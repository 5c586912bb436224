using Microsoft.AspNetCore.Http.Features;
using Netstack.Api.Client;
using Netstack.Daemon.Containers;
using Netstack.Daemon.Http;
using Netstack.Runtime.Containers;

namespace Netstack.Daemon.Routes;

/// <summary>
/// <c>POST /containers/{id}/attach</c> on a hijacked connection, as the docker CLI uses it for
/// <c>docker run</c> without <c>-d</c> (attached before the start), <c>docker start -a</c> and
/// <c>docker attach</c>: the container's output from now on (from its first byte with
/// <c>logs=1</c>) in multiplexed frames, until the run in progress, or the next one, has ended.
/// stdout goes out as stream 1 and stderr as stream 2 (the runtime keeps them in two files), each
/// only when asked for.
/// </summary>
internal static class AttachRoutes
{
    // API 1.41 calls the framed stream raw-stream too (multiplexed-stream came with 1.42).
    private const string RawStream = "application/vnd.docker.raw-stream";

    // How often the log file is read again while the container runs; its exit is an event, not polled.
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    public static void Map(IEndpointRouteBuilder routes) => routes.MapPost("/containers/{id}/attach", AttachAsync);

    private static async Task AttachAsync(HttpContext context)
    {
        var service = context.RequestServices.GetRequiredService<ContainerService>();
        var time = context.RequestServices.GetRequiredService<TimeProvider>();
        var info = service.Runtime.Inspect((string)context.Request.RouteValues["id"]!);
        var stream = HttpJson.QueryBool(context, "stream");
        var logs = HttpJson.QueryBool(context, "logs");
        var stdout = HttpJson.QueryBool(context, "stdout");
        var stderr = HttpJson.QueryBool(context, "stderr");
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
            // Registered before the 101: the CLI starts the container once it has the answer.
            var exit = stream ? service.BeginWaitAsync(info.Id, ContainerService.WaitNextExit, waitCancel.Token) : Task.FromResult(0);
            context.Response.ContentType = RawStream;
            context.Response.Headers.Connection = "Upgrade";
            context.Response.Headers.Upgrade = "tcp";
            var duplex = await upgrade.UpgradeAsync().ConfigureAwait(false);
            try
            {
                // Not RequestAborted: the CLI half-closes at once when it has no stdin; only a failed write means it is gone.
                await PumpAsync(log, duplex, exit, stdout, stderr, time).ConfigureAwait(false);
            }
            catch (IOException)
            {
                // The client went away.
            }
            finally
            {
                await waitCancel.CancelAsync().ConfigureAwait(false);
                await exit.ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
            }
        }
    }

    private static async Task PumpAsync(ContainerLog log, Stream client, Task exit, bool stdout, bool stderr, TimeProvider time)
    {
        var buffer = new byte[64 * 1024];
        var header = new byte[8];
        var draining = false;
        while (true)
        {
            var (stream, n) = await log.ReadAsync(buffer).ConfigureAwait(false);
            if (n > 0)
            {
                if (stream == ContainerLog.Stdout ? stdout : stderr)
                {
                    LogStream.WriteHeader(header, stream, n);
                    await client.WriteAsync(header).ConfigureAwait(false);
                    await client.WriteAsync(buffer.AsMemory(0, n)).ConfigureAwait(false);
                    await client.FlushAsync().ConfigureAwait(false);
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
            await Task.WhenAny(exit, Task.Delay(PollInterval, time)).ConfigureAwait(false);
        }
    }
}
