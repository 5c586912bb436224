using System.Text.Json;
using System.Globalization;
using Netstack.Api.Client;
using Netstack.Api.Contracts.Containers;
using Netstack.Api.Serialization;
using Netstack.Daemon.Containers;
using Netstack.Daemon.Http;
using Netstack.Daemon.Mapping;
using Netstack.Runtime.Containers;
using ContainerState = Netstack.Runtime.Containers.ContainerState;

namespace Netstack.Daemon.Routes;

/// <summary>The engine's <c>/containers</c> routes (and netstack's whole-output exec), served by <see cref="ContainerService"/>.</summary>
internal static class ContainerRoutes
{
    // Log following polls the file: the runtime appends to it from the container's own pipes.
    private static readonly TimeSpan LogPollInterval = TimeSpan.FromMilliseconds(50);

    // The engine's stats collector reads every container once a second.
    private static readonly TimeSpan StatsInterval = TimeSpan.FromSeconds(1);

    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapPost("/containers/create", CreateAsync);
        routes.MapGet("/containers/json", ListAsync);
        routes.MapGet("/containers/{id}/json", InspectAsync);
        routes.MapPost("/containers/{id}/start", StartAsync);
        routes.MapPost("/containers/{id}/stop", StopAsync);
        routes.MapPost("/containers/{id}/kill", KillAsync);
        routes.MapPost("/containers/{id}/wait", WaitAsync);
        routes.MapGet("/containers/{id}/logs", LogsAsync);
        routes.MapGet("/containers/{id}/stats", StatsAsync);
        routes.MapPost("/containers/{id}/exec/run", ExecAsync);
        routes.MapDelete("/containers/{id}", RemoveAsync);
    }

    private static ContainerService Service(HttpContext context) => context.RequestServices.GetRequiredService<ContainerService>();

    private static string Id(HttpContext context) => (string)context.Request.RouteValues["id"]!;

    private static async Task CreateAsync(HttpContext context)
    {
        var request = await HttpJson.ReadAsync(context, ApiJsonContext.Default.ContainerCreateRequest).ConfigureAwait(false);
        var warnings = new List<string>();
        var info = await Service(context).CreateAsync(context.Request.Query["name"].ToString(), request, warnings, context.RequestAborted).ConfigureAwait(false);
        await HttpJson.WriteAsync(context, new ContainerCreateResponse { Id = info.Id, Warnings = warnings }, ApiJsonContext.Default.ContainerCreateResponse, StatusCodes.Status201Created).ConfigureAwait(false);
    }

    private static async Task ListAsync(HttpContext context)
    {
        var service = Service(context);
        var now = context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        var result = new List<ContainerSummary>();
        foreach (var info in service.Runtime.List(HttpJson.QueryBool(context, "all")))
        {
            var sandbox = await service.SandboxOfAsync(info, context.RequestAborted).ConfigureAwait(false);
            result.Add(ContainerMapper.ToSummary(info, sandbox, now));
        }
        await HttpJson.WriteAsync(context, result, ApiJsonContext.Default.ListContainerSummary).ConfigureAwait(false);
    }

    private static async Task InspectAsync(HttpContext context)
    {
        var service = Service(context);
        var info = service.Runtime.Inspect(Id(context));
        var sandbox = await service.SandboxOfAsync(info, context.RequestAborted).ConfigureAwait(false);
        var inspect = ContainerMapper.ToInspect(info, sandbox);
        inspect.NetworkSettings.UpstreamPorts = Upstream.UpstreamViews.PortsOf(context.RequestServices.GetService<Netstack.Upstream.Mapping.PortMapper>(), info.Id);
        await HttpJson.WriteAsync(context, inspect, ApiJsonContext.Default.ContainerInspect).ConfigureAwait(false);
    }

    private static async Task StartAsync(HttpContext context)
    {
        var started = await Service(context).StartAsync(Id(context), context.RequestAborted).ConfigureAwait(false);
        // The engine answers 304 when the container was already running.
        context.Response.StatusCode = started ? StatusCodes.Status204NoContent : StatusCodes.Status304NotModified;
    }

    private static async Task StopAsync(HttpContext context)
    {
        TimeSpan? timeout = null;
        var t = context.Request.Query["t"].ToString();
        if (t.Length > 0)
        {
            timeout = int.TryParse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0
                ? TimeSpan.FromSeconds(seconds)
                : throw ApiError.BadRequest($"invalid query parameter t=\"{t}\": expected seconds (0 or more)");
        }
        // signal (API 1.42, docker stop -s) replaces the container's stop signal for this stop.
        var signal = context.Request.Query["signal"].ToString();
        await Service(context).StopAsync(Id(context), timeout, signal.Length == 0 ? null : signal, context.RequestAborted).ConfigureAwait(false);
        HttpJson.NoContent(context);
    }

    private static async Task KillAsync(HttpContext context)
    {
        await Service(context).KillAsync(Id(context), context.Request.Query["signal"].ToString(), context.RequestAborted).ConfigureAwait(false);
        HttpJson.NoContent(context);
    }

    /// <summary>
    /// Waits for <c>condition</c> (not-running, next-exit, removed). As the engine does, the 200
    /// and its headers go out at once and the JSON when the condition holds: the docker CLI sends
    /// the wait before the start and goes on only once the headers have come.
    /// </summary>
    private static async Task WaitAsync(HttpContext context)
    {
        var condition = ContainerService.ParseWaitCondition(context.Request.Query["condition"].ToString());
        // Registered before the headers go: an exit right after the CLI's start is not missed.
        var wait = Service(context).BeginWaitAsync(Id(context), condition, context.RequestAborted);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        await context.Response.StartAsync(context.RequestAborted).ConfigureAwait(false);
        await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
        ContainerWaitResponse answer;
        try
        {
            answer = new ContainerWaitResponse { StatusCode = await wait.ConfigureAwait(false) };
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            answer = new ContainerWaitResponse { StatusCode = -1, Error = new ContainerWaitError { Message = e.Message } };
        }
        await JsonSerializer.SerializeAsync(context.Response.Body, answer, ApiJsonContext.Default.ContainerWaitResponse, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>GET /containers/{id}/stats</c>: with <c>stream</c> (the default) one JSON object a second,
    /// each with the one before in <c>precpu_stats</c>, until the client goes or the container is
    /// removed; with <c>stream=0</c> one object, read a second after a first reading so the CPU share
    /// has an interval (as the engine does), or at once with <c>one-shot=1</c> (no precpu_stats).
    /// </summary>
    private static async Task StatsAsync(HttpContext context)
    {
        var service = Service(context);
        var time = context.RequestServices.GetRequiredService<TimeProvider>();
        var id = Id(context);
        var stream = !context.Request.Query.ContainsKey("stream") || HttpJson.QueryBool(context, "stream");
        var oneShot = HttpJson.QueryBool(context, "one-shot");
        if (stream && oneShot)
        {
            throw ApiError.BadRequest("invalid query parameters stream=1 and one-shot=1: one-shot needs stream=0");
        }
        var ct = context.RequestAborted;
        // Unknown containers are a 404 here, before the 200 goes out.
        var stats = service.ReadStats(id, previous: null);
        if (!stream && !oneShot)
        {
            await Task.Delay(StatsInterval, time, ct).ConfigureAwait(false);
            stats = service.ReadStats(id, stats);
        }
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        while (true)
        {
            await JsonSerializer.SerializeAsync(context.Response.Body, stats, ApiJsonContext.Default.ContainerStatsResponse, ct).ConfigureAwait(false);
            await context.Response.Body.WriteAsync("\n"u8.ToArray(), ct).ConfigureAwait(false);
            await context.Response.Body.FlushAsync(ct).ConfigureAwait(false);
            if (!stream)
            {
                return;
            }
            await Task.Delay(StatsInterval, time, ct).ConfigureAwait(false);
            try
            {
                stats = service.ReadStats(id, stats);
            }
            catch (Runtime.RuntimeException e) when (e.Kind == Runtime.RuntimeErrorKind.NotFound)
            {
                // Removed: the stream ends, as the engine ends it.
                return;
            }
        }
    }

    private static async Task RemoveAsync(HttpContext context)
    {
        await Service(context).RemoveAsync(Id(context), HttpJson.QueryBool(context, "force"), context.RequestAborted).ConfigureAwait(false);
        HttpJson.NoContent(context);
    }

    private static async Task ExecAsync(HttpContext context)
    {
        var request = await HttpJson.ReadAsync(context, ApiJsonContext.Default.ContainerExecRequest).ConfigureAwait(false);
        var result = await Service(context).ExecAsync(Id(context), request, context.RequestAborted).ConfigureAwait(false);
        await HttpJson.WriteAsync(context, new ContainerExecResponse { ExitCode = result.ExitCode, Stdout = result.Stdout, Stderr = result.Stderr }, ApiJsonContext.Default.ContainerExecResponse).ConfigureAwait(false);
    }

    /// <summary>
    /// The log in the engine's multiplexed framing: stdout frames as stream 1, stderr as stream 2
    /// (the runtime keeps them in two files), each only when asked for. With <c>follow</c> the answer
    /// streams until the container exits.
    /// </summary>
    private static async Task LogsAsync(HttpContext context)
    {
        var service = Service(context);
        var time = context.RequestServices.GetRequiredService<TimeProvider>();
        var id = Id(context);
        var follow = HttpJson.QueryBool(context, "follow");
        var wantStdout = HttpJson.QueryBool(context, "stdout");
        var wantStderr = HttpJson.QueryBool(context, "stderr");
        if (!wantStdout && !wantStderr)
        {
            throw ApiError.BadRequest("you must choose at least one stream: stdout=1 or stderr=1");
        }
        // A terminal's output is one stream of raw bytes, sent without frames (as Docker does).
        var tty = service.Runtime.Inspect(id).Tty;
        var log = service.Runtime.OpenLogs(id);
        await using (log.ConfigureAwait(false))
        {
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = tty ? "application/vnd.docker.raw-stream" : "application/vnd.docker.multiplexed-stream";
            var buffer = new byte[64 * 1024];
            var header = new byte[8];
            var ct = context.RequestAborted;
            var exited = false;
            while (true)
            {
                var (stream, n) = await log.ReadAsync(buffer, ct).ConfigureAwait(false);
                if (n > 0)
                {
                    if (stream == ContainerLog.Stdout ? wantStdout : wantStderr)
                    {
                        if (!tty)
                        {
                            LogStream.WriteHeader(header, stream, n);
                            await context.Response.Body.WriteAsync(header, ct).ConfigureAwait(false);
                        }
                        await context.Response.Body.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
                        await context.Response.Body.FlushAsync(ct).ConfigureAwait(false);
                    }
                    continue;
                }
                if (!follow || exited)
                {
                    return;
                }
                if (service.Runtime.Inspect(id).State != ContainerState.Running)
                {
                    // One more pass after the exit: output written just before it must not be lost.
                    exited = true;
                    continue;
                }
                await Task.Delay(LogPollInterval, time, ct).ConfigureAwait(false);
            }
        }
    }
}
