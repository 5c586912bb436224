using Netstack.Api.Contracts.Networks;
using Netstack.Api.Serialization;
using Netstack.Controller;
using Netstack.Daemon.Containers;
using Netstack.Daemon.Http;
using Netstack.Daemon.Mapping;

namespace Netstack.Daemon.Routes;

/// <summary>The engine's <c>/networks</c> routes, served by the controller.</summary>
internal static class NetworkRoutes
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/networks", ListAsync);
        routes.MapPost("/networks/create", CreateAsync);
        routes.MapPost("/networks/prune", PruneAsync);
        routes.MapGet("/networks/{id}", InspectAsync);
        routes.MapPost("/networks/{id}/connect", ConnectAsync);
        routes.MapPost("/networks/{id}/disconnect", DisconnectAsync);
        routes.MapDelete("/networks/{id}", DeleteAsync);
    }

    private static INetworkController Controller(HttpContext context) => context.RequestServices.GetRequiredService<INetworkController>();

    private static string Id(HttpContext context) => (string)context.Request.RouteValues["id"]!;

    private static async Task ListAsync(HttpContext context)
    {
        var filter = FilterMapper.ToNetworkFilter(context.Request.Query["filters"]);
        var networks = await Controller(context).ListNetworksAsync(filter, context.RequestAborted).ConfigureAwait(false);
        await HttpJson.WriteAsync(context, networks.Select(NetworkMapper.ToResource).ToList(), ApiJsonContext.Default.ListNetworkResource).ConfigureAwait(false);
    }

    private static async Task InspectAsync(HttpContext context)
    {
        var network = await Controller(context).GetNetworkAsync(Id(context), context.RequestAborted).ConfigureAwait(false);
        var scope = context.Request.Query["scope"].ToString();
        if (scope.Length > 0 && !string.Equals(scope, Core.NetworkScopeNames.ToName(network.Scope), StringComparison.Ordinal))
        {
            // The engine answers as if a network of another scope did not exist.
            throw ApiError.NotFound($"network \"{Id(context)}\" not found in scope {scope}");
        }
        var resource = NetworkMapper.ToResource(network);
        var peers = context.RequestServices.GetServices<Core.Drivers.INetworkDriver>()
            .FirstOrDefault(d => d.Type == network.Driver) as Core.Drivers.INetworkPeers;
        if (peers is not null)
        {
            resource.Peers = peers.GetPeers(network.Id).Select(p => new PeerInfo { Name = p.Node, Ip = p.Address }).ToList();
        }
        await HttpJson.WriteAsync(context, resource, ApiJsonContext.Default.NetworkResource).ConfigureAwait(false);
    }

    private static async Task CreateAsync(HttpContext context)
    {
        var request = await HttpJson.ReadAsync(context, ApiJsonContext.Default.NetworkCreateRequest).ConfigureAwait(false);
        var network = await Controller(context).CreateNetworkAsync(NetworkMapper.ToSpec(request), context.RequestAborted).ConfigureAwait(false);
        await HttpJson.WriteAsync(context, new NetworkCreateResponse { Id = network.Id }, ApiJsonContext.Default.NetworkCreateResponse, StatusCodes.Status201Created).ConfigureAwait(false);
    }

    private static async Task ConnectAsync(HttpContext context)
    {
        var request = await HttpJson.ReadAsync(context, ApiJsonContext.Default.NetworkConnectRequest).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(request.Container))
        {
            throw new Core.InvalidParameterException("Container", request.Container, "name the container or sandbox to connect");
        }
        var containers = context.RequestServices.GetRequiredService<IContainerNetworking>();
        await containers.ConnectAsync(Id(context), request.Container, NetworkMapper.ToEndpointSpec(request.EndpointConfig), context.RequestAborted).ConfigureAwait(false);
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    private static async Task DisconnectAsync(HttpContext context)
    {
        var request = await HttpJson.ReadAsync(context, ApiJsonContext.Default.NetworkDisconnectRequest).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(request.Container))
        {
            throw new Core.InvalidParameterException("Container", request.Container, "name the container or sandbox to disconnect");
        }
        var containers = context.RequestServices.GetRequiredService<IContainerNetworking>();
        await containers.DisconnectAsync(Id(context), request.Container, request.Force, context.RequestAborted).ConfigureAwait(false);
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    private static async Task DeleteAsync(HttpContext context)
    {
        await Controller(context).DeleteNetworkAsync(Id(context), context.RequestAborted).ConfigureAwait(false);
        HttpJson.NoContent(context);
    }

    private static async Task PruneAsync(HttpContext context)
    {
        var time = context.RequestServices.GetRequiredService<TimeProvider>();
        var filter = FilterMapper.ToPruneFilter(context.Request.Query["filters"], time.GetUtcNow());
        var deleted = await Controller(context).PruneNetworksAsync(filter, context.RequestAborted).ConfigureAwait(false);
        await HttpJson.WriteAsync(context, new NetworkPruneResponse { NetworksDeleted = [.. deleted] }, ApiJsonContext.Default.NetworkPruneResponse).ConfigureAwait(false);
    }
}
