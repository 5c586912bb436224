using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Netstack.Api.Contracts.Plugins;
using Netstack.Api.Serialization;
using Netstack.Daemon.Http;

namespace Netstack.Daemon.Plugin;

/// <summary>
/// The plugin socket's HTTP surface: <c>POST /Plugin.Activate</c>, <c>/NetworkDriver.*</c> and
/// <c>/IpamDriver.*</c>, JSON in and out with Docker's plugin content type. Requests that arrive on
/// the plugin listener are marked at the connection and never reach the engine API's routes (and
/// the engine's requests never reach these). Every failure is answered <c>{"Err": "..."}</c> with a
/// 4xx/5xx status: dockerd reads <c>Err</c>. An unknown call is a 404, which dockerd takes as
/// "not implemented" for its optional calls.
/// </summary>
internal static class PluginEndpoint
{
    private const string ConnectionMark = "netstack.plugin";

    private static readonly FrozenDictionary<string, Func<HttpContext, Task>> Calls = new Dictionary<string, Func<HttpContext, Task>>(StringComparer.Ordinal)
    {
        ["/Plugin.Activate"] = c => WriteAsync(c, new PluginActivateResponse { Implements = [PluginProtocol.NetworkDriver, PluginProtocol.IpamDriver] }, PluginJsonContext.Default.PluginActivateResponse),

        ["/NetworkDriver.GetCapabilities"] = c => WriteAsync(c, Network(c).GetCapabilities(), PluginJsonContext.Default.NetworkCapabilitiesResponse),
        ["/NetworkDriver.CreateNetwork"] = async c => await Network(c).CreateNetworkAsync(await ReadAsync(c, PluginJsonContext.Default.PluginCreateNetworkRequest).ConfigureAwait(false), c.RequestAborted).ConfigureAwait(false),
        ["/NetworkDriver.DeleteNetwork"] = async c => await Network(c).DeleteNetworkAsync(await ReadAsync(c, PluginJsonContext.Default.PluginNetworkRequest).ConfigureAwait(false), c.RequestAborted).ConfigureAwait(false),
        ["/NetworkDriver.CreateEndpoint"] = async c => await WriteAsync(c, await Network(c).CreateEndpointAsync(await ReadAsync(c, PluginJsonContext.Default.PluginCreateEndpointRequest).ConfigureAwait(false), c.RequestAborted).ConfigureAwait(false), PluginJsonContext.Default.PluginCreateEndpointResponse).ConfigureAwait(false),
        ["/NetworkDriver.EndpointOperInfo"] = async c => await WriteAsync(c, await Network(c).EndpointOperInfoAsync(await ReadAsync(c, PluginJsonContext.Default.PluginEndpointRequest).ConfigureAwait(false), c.RequestAborted).ConfigureAwait(false), PluginJsonContext.Default.PluginEndpointInfoResponse).ConfigureAwait(false),
        ["/NetworkDriver.DeleteEndpoint"] = async c => await Network(c).DeleteEndpointAsync(await ReadAsync(c, PluginJsonContext.Default.PluginEndpointRequest).ConfigureAwait(false), c.RequestAborted).ConfigureAwait(false),
        ["/NetworkDriver.Join"] = async c => await WriteAsync(c, await Network(c).JoinAsync(await ReadAsync(c, PluginJsonContext.Default.PluginJoinRequest).ConfigureAwait(false), c.RequestAborted).ConfigureAwait(false), PluginJsonContext.Default.PluginJoinResponse).ConfigureAwait(false),
        ["/NetworkDriver.Leave"] = async c => await Network(c).LeaveAsync(await ReadAsync(c, PluginJsonContext.Default.PluginEndpointRequest).ConfigureAwait(false), c.RequestAborted).ConfigureAwait(false),
        // Node and datastore discovery: nothing in our drivers depends on it.
        ["/NetworkDriver.DiscoverNew"] = async c => await ReadAsync(c, PluginJsonContext.Default.PluginDiscoveryNotification).ConfigureAwait(false),
        ["/NetworkDriver.DiscoverDelete"] = async c => await ReadAsync(c, PluginJsonContext.Default.PluginDiscoveryNotification).ConfigureAwait(false),
        ["/NetworkDriver.ProgramExternalConnectivity"] = async c => await Network(c).ProgramExternalConnectivityAsync(await ReadAsync(c, PluginJsonContext.Default.PluginExternalConnectivityRequest).ConfigureAwait(false), c.RequestAborted).ConfigureAwait(false),
        ["/NetworkDriver.RevokeExternalConnectivity"] = async c => await Network(c).RevokeExternalConnectivityAsync(await ReadAsync(c, PluginJsonContext.Default.PluginEndpointRequest).ConfigureAwait(false), c.RequestAborted).ConfigureAwait(false),

        ["/IpamDriver.GetCapabilities"] = c => WriteAsync(c, PluginIpamDriver.GetCapabilities(), PluginJsonContext.Default.IpamCapabilitiesResponse),
        ["/IpamDriver.GetDefaultAddressSpaces"] = c => WriteAsync(c, PluginIpamDriver.GetDefaultAddressSpaces(), PluginJsonContext.Default.IpamAddressSpacesResponse),
        ["/IpamDriver.RequestPool"] = async c => await WriteAsync(c, await Ipam(c).RequestPoolAsync(await ReadAsync(c, PluginJsonContext.Default.IpamRequestPoolRequest).ConfigureAwait(false), c.RequestAborted).ConfigureAwait(false), PluginJsonContext.Default.IpamRequestPoolResponse).ConfigureAwait(false),
        ["/IpamDriver.ReleasePool"] = async c => await Ipam(c).ReleasePoolAsync(await ReadAsync(c, PluginJsonContext.Default.IpamReleasePoolRequest).ConfigureAwait(false), c.RequestAborted).ConfigureAwait(false),
        ["/IpamDriver.RequestAddress"] = async c => await WriteAsync(c, await Ipam(c).RequestAddressAsync(await ReadAsync(c, PluginJsonContext.Default.IpamRequestAddressRequest).ConfigureAwait(false), c.RequestAborted).ConfigureAwait(false), PluginJsonContext.Default.IpamRequestAddressResponse).ConfigureAwait(false),
        ["/IpamDriver.ReleaseAddress"] = async c => await Ipam(c).ReleaseAddressAsync(await ReadAsync(c, PluginJsonContext.Default.IpamReleaseAddressRequest).ConfigureAwait(false), c.RequestAborted).ConfigureAwait(false),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The call names served, for tests and docs.</summary>
    public static IReadOnlyCollection<string> Paths => Calls.Keys;

    /// <summary>Kestrel connection middleware for the plugin listener: marks its connections.</summary>
    public static ConnectionDelegate MarkConnections(ConnectionDelegate next) => connection =>
    {
        connection.Items[ConnectionMark] = true;
        return next(connection);
    };

    /// <summary>True for a request that came in on the plugin listener.</summary>
    public static bool IsPluginRequest(HttpContext context) =>
        context.Features.Get<IConnectionItemsFeature>()?.Items.ContainsKey(ConnectionMark) == true;

    public static async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            if (!HttpMethods.IsPost(context.Request.Method))
            {
                throw new ApiError(StatusCodes.Status405MethodNotAllowed, $"method {context.Request.Method} not allowed: plugin calls are POST");
            }
            if (!Calls.TryGetValue(context.Request.Path.Value ?? string.Empty, out var call))
            {
                throw ApiError.NotFound($"unknown plugin call {PluginInput.Shorten(context.Request.Path.Value ?? string.Empty)}");
            }
            await call(context).ConfigureAwait(false);
            if (!context.Response.HasStarted)
            {
                await WriteAsync(context, new PluginResponse(), PluginJsonContext.Default.PluginResponse).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // dockerd went away; nobody is left to answer.
        }
        catch (Exception e)
        {
            var (status, message, isFault) = ErrorMapping.Map(e);
            var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(PluginEndpoint));
            if (isFault)
            {
                Log.RequestFault(logger, context.Request.Method, context.Request.Path, e);
            }
            else
            {
                Log.RequestRejected(logger, context.Request.Method, context.Request.Path, status, message);
            }
            if (context.Response.HasStarted)
            {
                context.Abort();
                return;
            }
            context.Response.Clear();
            await WriteAsync(context, new PluginResponse { Err = message }, PluginJsonContext.Default.PluginResponse, status).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Reads the body (Kestrel's 1 MiB limit applies). An empty body or <c>null</c> is an empty
    /// request, so its missing ids are named by the call; malformed JSON or a field of the wrong
    /// type is a 400 naming the JSON path.
    /// </summary>
    private static async Task<T> ReadAsync<T>(HttpContext context, JsonTypeInfo<T> info)
        where T : new()
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
        var bytes = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
        if (bytes.Span.Trim(" \t\r\n"u8).IsEmpty)
        {
            return new T();
        }
        try
        {
            return JsonSerializer.Deserialize(bytes.Span, info) ?? new T();
        }
        catch (JsonException e)
        {
            var message = e.Message;
            var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
            throw ApiError.BadRequest($"invalid JSON body at {e.Path ?? "$"}: {(cut > 0 ? message[..cut] : message)}");
        }
    }

    private static async Task WriteAsync<T>(HttpContext context, T value, JsonTypeInfo<T> info, int status = StatusCodes.Status200OK)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = PluginProtocol.ContentType;
        await JsonSerializer.SerializeAsync(context.Response.Body, value, info, context.RequestAborted).ConfigureAwait(false);
    }

    private static PluginNetworkDriver Network(HttpContext context) => context.RequestServices.GetRequiredService<PluginNetworkDriver>();

    private static PluginIpamDriver Ipam(HttpContext context) => context.RequestServices.GetRequiredService<PluginIpamDriver>();
}
