using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Features;

namespace Netstack.Daemon.Http;

/// <summary>Reading request bodies and writing answers through the source-generated contracts.</summary>
internal static class HttpJson
{
    /// <summary>Reads the JSON body. Empty, malformed or mistyped JSON is a 400 naming the JSON path at fault.</summary>
    public static async Task<T> ReadAsync<T>(HttpContext context, JsonTypeInfo<T> info, bool allowEmpty = false)
        where T : new()
    {
        if (context.Request.ContentLength == 0 || (context.Request.ContentLength is null && !context.Request.Body.CanSeek && context.Request.Headers.TransferEncoding.Count == 0))
        {
            return allowEmpty ? new T() : throw ApiError.BadRequest("request body is empty: expected a JSON object");
        }
        try
        {
            var value = await JsonSerializer.DeserializeAsync(context.Request.Body, info, context.RequestAborted).ConfigureAwait(false);
            return value ?? (allowEmpty ? new T() : throw ApiError.BadRequest("request body is null: expected a JSON object"));
        }
        catch (JsonException e)
        {
            // e.Path is the JSON path of the bad field, e.g. $.IPAM.Config[0].Subnet.
            throw ApiError.BadRequest($"invalid JSON body at {e.Path ?? "$"}: {FirstSentence(e.Message)}");
        }
    }

    public static async Task WriteAsync<T>(HttpContext context, T value, JsonTypeInfo<T> info, int status = StatusCodes.Status200OK)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, value, info, context.RequestAborted).ConfigureAwait(false);
    }

    public static void NoContent(HttpContext context) => context.Response.StatusCode = StatusCodes.Status204NoContent;

    /// <summary>Lifts the 1 MiB body limit for a route that takes large uploads (image import).</summary>
    public static void AllowLargeBody(HttpContext context)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = null;
        }
    }

    /// <summary>The engine's boolean query values: 1/true/yes are true, 0/false/no or absent are false.</summary>
    public static bool QueryBool(HttpContext context, string name)
    {
        var value = context.Request.Query[name].ToString();
        return value.ToLowerInvariant() switch
        {
            "" or "0" or "false" or "no" => false,
            "1" or "true" or "yes" => true,
            _ => throw ApiError.BadRequest($"invalid query parameter {name}=\"{value}\": expected 1 or 0, true or false"),
        };
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
