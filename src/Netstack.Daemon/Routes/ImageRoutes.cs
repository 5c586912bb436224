using System.Text.Json;
using Microsoft.Extensions.Options;
using Netstack.Api.Contracts.Images;
using Netstack.Api.Serialization;
using Netstack.Daemon.Hosting;
using Netstack.Daemon.Http;
using Netstack.Runtime.Images;

namespace Netstack.Daemon.Routes;

/// <summary>
/// The engine's image routes that fit a rootfs-tarball runtime: import
/// (<c>POST /images/create?fromSrc=-</c>, as <c>docker import</c> sends it), list, remove.
/// </summary>
internal static class ImageRoutes
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapPost("/images/create", ImportAsync);
        routes.MapGet("/images/json", ListAsync);
        routes.MapDelete("/images/{**name}", RemoveAsync);
    }

    private static ImageStore Images(HttpContext context) => context.RequestServices.GetRequiredService<ImageStore>();

    private static async Task ImportAsync(HttpContext context)
    {
        var query = context.Request.Query;
        if (query["fromSrc"].ToString() != "-")
        {
            throw ApiError.BadRequest(query.ContainsKey("fromImage")
                ? $"invalid query parameter fromImage=\"{query["fromImage"]}\": netstack does not pull images; import a root filesystem tarball (fromSrc=-)"
                : "invalid query parameter fromSrc: expected - with the tarball as the request body");
        }
        var repository = query["repo"].ToString();
        if (repository.Length == 0)
        {
            throw ApiError.BadRequest("missing query parameter repo: name the image (repo=NAME&tag=TAG)");
        }
        var tag = query["tag"].ToString();
        var reference = tag.Length == 0 ? repository : repository + ":" + tag;

        HttpJson.AllowLargeBody(context);
        var options = context.RequestServices.GetRequiredService<IOptions<DaemonOptions>>().Value;
        var staging = Path.Combine(options.Root, "tmp");
        Directory.CreateDirectory(staging);
        var file = Path.Combine(staging, "import-" + Guid.NewGuid().ToString("N") + ".tar");
        try
        {
            var target = new FileStream(file, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
            await using (target.ConfigureAwait(false))
            {
                await context.Request.Body.CopyToAsync(target, context.RequestAborted).ConfigureAwait(false);
            }
            var image = await Images(context).ImportAsync(file, reference, context.RequestAborted).ConfigureAwait(false);
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "application/json";
            await JsonSerializer.SerializeAsync(context.Response.Body, new ProgressMessage { Status = image.Digest }, ApiJsonContext.Default.ProgressMessage, context.RequestAborted).ConfigureAwait(false);
            await context.Response.WriteAsync("\r\n", context.RequestAborted).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static Task ListAsync(HttpContext context)
    {
        var images = Images(context).List().Select(i => new ImageSummary
        {
            Id = i.Digest,
            RepoTags = [.. i.Tags],
            Created = i.Created.ToUnixTimeSeconds(),
            Size = i.Size,
        }).ToList();
        return HttpJson.WriteAsync(context, images, ApiJsonContext.Default.ListImageSummary);
    }

    private static async Task RemoveAsync(HttpContext context)
    {
        var name = (string)context.Request.RouteValues["name"]!;
        var store = Images(context);
        var before = store.Resolve(name);
        var after = await store.RemoveAsync(name, context.RequestAborted).ConfigureAwait(false);
        // Removing one of several tags only untags; removing the last deletes the image.
        var untagged = before.Tags.Except(after.Tags, StringComparer.Ordinal).ToList();
        var items = untagged.Count > 0 && after.Tags.Count > 0
            ? untagged.Select(t => new ImageDeleteItem { Untagged = t }).ToList()
            : [.. before.Tags.Select(t => new ImageDeleteItem { Untagged = t }), new ImageDeleteItem { Deleted = before.Digest }];
        await HttpJson.WriteAsync(context, items, ApiJsonContext.Default.ListImageDeleteItem).ConfigureAwait(false);
    }
}
