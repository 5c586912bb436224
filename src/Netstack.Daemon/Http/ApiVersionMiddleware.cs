using System.Globalization;
using Netstack.Api.Client;

namespace Netstack.Daemon.Http;

/// <summary>
/// Accepts <c>/vMAJOR.MINOR/route</c> as <c>/route</c>, as the engine does, and refuses versions
/// newer than ours (clients negotiate down after <c>/_ping</c>) or older than the minimum.
/// </summary>
internal sealed class ApiVersionMiddleware
{
    public const string MinApiVersion = "1.24";
    private static readonly Version Max = Version.Parse(ApiClient.ApiVersion);
    private static readonly Version Min = Version.Parse(MinApiVersion);
    private readonly RequestDelegate _next;

    public ApiVersionMiddleware(RequestDelegate next)
    {
        _next = next;
    }

    public Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        if (TrySplit(path, out var version, out var rest))
        {
            if (version > Max)
            {
                throw ApiError.BadRequest($"client version {version} is too new. Maximum supported API version is {ApiClient.ApiVersion}");
            }
            if (version < Min)
            {
                throw ApiError.BadRequest($"client version {version} is too old. Minimum supported API version is {MinApiVersion}, please upgrade your client to a newer version");
            }
            context.Request.Path = rest;
        }
        return _next(context);
    }

    /// <summary>Splits <c>/v1.41/networks</c> into 1.41 and <c>/networks</c>; false when the path has no version.</summary>
    internal static bool TrySplit(string path, out Version version, out string rest)
    {
        version = Max;
        rest = path;
        if (path.Length < 4 || path[0] != '/' || path[1] != 'v')
        {
            return false;
        }
        var end = path.IndexOf('/', 2);
        var text = end < 0 ? path[2..] : path[2..end];
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0
            || !int.TryParse(text.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var major)
            || !int.TryParse(text.AsSpan(dot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var minor))
        {
            return false;
        }
        version = new Version(major, minor);
        rest = end < 0 ? "/" : path[end..];
        return true;
    }
}
