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
/// and read its output, then ask for its exit code. Netstack runs the command to completion and
/// sends the whole output at once (no stdin, no live streaming, no TTY resizing).
/// </summary>
internal static class ExecRoutes
{
    private const string RawStream = "application/vnd.docker.raw-stream";

    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapPost("/containers/{id}/exec", CreateAsync);
        routes.MapPost("/exec/{id}/start", StartAsync);
        routes.MapGet("/exec/{id}/json", InspectAsync);
        // The CLI resizes a TTY exec; there is no live TTY here, so there is nothing to resize.
        routes.MapPost("/exec/{id}/resize", (HttpContext context) => { Find(context); return Results.Ok(); });
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
