using Netstack.Api.Contracts.Nodes;
using Netstack.Api.Serialization;
using Netstack.Daemon.Gossip;
using Netstack.Daemon.Http;
using Netstack.Gossip.Membership;

namespace Netstack.Daemon.Routes;

/// <summary>netstack's own <c>GET /nodes</c>: the gossip cluster's members as this daemon sees them.</summary>
internal static class NodeRoutes
{
    public static void Map(IEndpointRouteBuilder routes) => routes.MapGet("/nodes", ListAsync);

    private static async Task ListAsync(HttpContext context)
    {
        var node = context.RequestServices.GetService<GossipService>()?.Node
            // 503 as the engine answers node routes outside swarm mode: the daemon works, the feature is off.
            ?? throw new ApiError(StatusCodes.Status503ServiceUnavailable,
                "this daemon is not part of a cluster: start netstackd with --advertise-addr IP (and --join PEER) to turn gossip on");
        var nodes = node.Members.Select(ToResource).ToList();
        await HttpJson.WriteAsync(context, nodes, ApiJsonContext.Default.ListNodeResource).ConfigureAwait(false);
    }

    private static NodeResource ToResource(MemberInfo member) => new()
    {
        Name = member.Name,
        Address = member.Address.ToString(),
        State = member.State switch
        {
            MemberState.Alive => "alive",
            MemberState.Suspect => "suspect",
            MemberState.Failed => "failed",
            _ => "left",
        },
        Since = member.Since.ToUniversalTime(),
    };
}
