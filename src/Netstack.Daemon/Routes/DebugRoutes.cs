using Netstack.Api.Serialization;
using Netstack.Daemon.Capture;
using Netstack.Daemon.Http;

namespace Netstack.Daemon.Routes;

/// <summary>netstack's own <c>POST /debug/capture</c>: a packet capture streamed to the client (see <see cref="CaptureStreamer"/>).</summary>
internal static class DebugRoutes
{
    public static void Map(IEndpointRouteBuilder routes) => routes.MapPost("/debug/capture", CaptureAsync);

    private static async Task CaptureAsync(HttpContext context)
    {
        var request = await HttpJson.ReadAsync(context, CaptureJsonContext.Default.CaptureRequest).ConfigureAwait(false);
        await context.RequestServices.GetRequiredService<CaptureStreamer>().RunAsync(context, request).ConfigureAwait(false);
    }
}
