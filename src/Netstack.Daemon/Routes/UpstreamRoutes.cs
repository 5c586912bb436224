using Netstack.Api.Serialization;
using Netstack.Daemon.Http;
using Netstack.Daemon.Upstream;
using Netstack.Upstream.Mapping;

namespace Netstack.Daemon.Routes;

/// <summary>netstack's own <c>GET /upstream</c>: the upstream router, its protocol, its external address and the live mappings.</summary>
internal static class UpstreamRoutes
{
    public static void Map(IEndpointRouteBuilder routes) => routes.MapGet("/upstream", GetAsync);

    private static async Task GetAsync(HttpContext context)
    {
        var mapper = context.RequestServices.GetRequiredService<PortMapper>();
        await HttpJson.WriteAsync(context, UpstreamViews.ToStatus(mapper.Status()), UpstreamJsonContext.Default.UpstreamStatus).ConfigureAwait(false);
    }
}
