using Netstack.Api.Serialization;
using Netstack.Controller;
using Netstack.Core;
using Netstack.Daemon.Http;
using Netstack.Daemon.Mapping;

namespace Netstack.Daemon.Routes;

/// <summary>netstack's own <c>/sandboxes</c> routes: named network namespaces without a container.</summary>
internal static class SandboxRoutes
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapPost("/sandboxes/create", CreateAsync);
        routes.MapGet("/sandboxes", ListAsync);
        routes.MapGet("/sandboxes/{name}", InspectAsync);
        routes.MapDelete("/sandboxes/{name}", DeleteAsync);
    }

    private static INetworkController Controller(HttpContext context) => context.RequestServices.GetRequiredService<INetworkController>();

    private static string Name(HttpContext context) => (string)context.Request.RouteValues["name"]!;

    private static async Task CreateAsync(HttpContext context)
    {
        var request = await HttpJson.ReadAsync(context, ApiJsonContext.Default.SandboxCreateRequest).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(request.Name))
        {
            throw new InvalidParameterException("Name", request.Name, "a sandbox needs a name");
        }
        var sandbox = await Controller(context).CreateSandboxAsync(new SandboxSpec
        {
            Name = request.Name,
            Hostname = request.Hostname,
            DnsServers = request.Dns ?? [],
        }, context.RequestAborted).ConfigureAwait(false);
        await HttpJson.WriteAsync(context, SandboxMapper.ToResource(sandbox), ApiJsonContext.Default.SandboxResource, StatusCodes.Status201Created).ConfigureAwait(false);
    }

    private static async Task ListAsync(HttpContext context)
    {
        var sandboxes = await Controller(context).ListSandboxesAsync(context.RequestAborted).ConfigureAwait(false);
        await HttpJson.WriteAsync(context, sandboxes.Select(SandboxMapper.ToResource).ToList(), ApiJsonContext.Default.ListSandboxResource).ConfigureAwait(false);
    }

    private static async Task InspectAsync(HttpContext context)
    {
        var sandbox = await Controller(context).GetSandboxAsync(Name(context), context.RequestAborted).ConfigureAwait(false);
        await HttpJson.WriteAsync(context, SandboxMapper.ToResource(sandbox), ApiJsonContext.Default.SandboxResource).ConfigureAwait(false);
    }

    private static async Task DeleteAsync(HttpContext context)
    {
        var controller = Controller(context);
        var sandbox = await controller.GetSandboxAsync(Name(context), context.RequestAborted).ConfigureAwait(false);
        if (!string.IsNullOrEmpty(sandbox.ContainerId))
        {
            // A container's sandbox goes with the container (netstack rm), never from under it.
            throw new ForbiddenException($"sandbox \"{sandbox.Name}\" belongs to container {sandbox.ContainerId[..Math.Min(12, sandbox.ContainerId.Length)]}: remove the container instead");
        }
        // A sandbox goes with its endpoints, as a removed container leaves its networks.
        await controller.DeleteSandboxAsync(sandbox.Id, force: true, context.RequestAborted).ConfigureAwait(false);
        HttpJson.NoContent(context);
    }
}
