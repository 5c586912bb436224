using Netstack.Api.Serialization;
using Netstack.Daemon.Capture;
using Netstack.Daemon.Http;

namespace Netstack.Daemon.Routes;

/// <summary>
/// netstack's own <c>POST /debug/capture</c> (a packet capture streamed to the client, see
/// <see cref="CaptureStreamer"/>) and <c>POST /debug/trace</c> (one probe captured at every hop,
/// see <see cref="TraceRunner"/>).
/// </summary>
internal static class DebugRoutes
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapPost("/debug/capture", CaptureAsync);
        routes.MapPost("/debug/trace", TraceAsync);
    }

    private static async Task CaptureAsync(HttpContext context)
    {
        var request = await HttpJson.ReadAsync(context, CaptureJsonContext.Default.CaptureRequest).ConfigureAwait(false);
        await context.RequestServices.GetRequiredService<CaptureStreamer>().RunAsync(context, request).ConfigureAwait(false);
    }

    private static async Task TraceAsync(HttpContext context)
    {
        var request = await HttpJson.ReadAsync(context, CaptureJsonContext.Default.TraceRequest).ConfigureAwait(false);
        var result = await context.RequestServices.GetRequiredService<TraceRunner>().RunAsync(request, context.RequestAborted).ConfigureAwait(false);
        await HttpJson.WriteAsync(context, result, CaptureJsonContext.Default.TraceResult).ConfigureAwait(false);
    }
}
