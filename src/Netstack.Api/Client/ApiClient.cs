using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Netstack.Api.Contracts.Containers;
using Netstack.Api.Contracts.Images;
using Netstack.Api.Contracts.Networks;
using Netstack.Api.Contracts.Nodes;
using Netstack.Api.Contracts.Sandboxes;
using Netstack.Api.Contracts.Engine;
using Netstack.Api.Filters;
using Netstack.Api.Serialization;

namespace Netstack.Api.Client;

/// <summary>
/// Typed client of netstackd's API over its unix socket. Every call uses the versioned path
/// (<c>/v1.41/...</c>); an error answer becomes an <see cref="ApiException"/> carrying the
/// daemon's message.
/// </summary>
public sealed class ApiClient : IDisposable
{
    public const string ApiVersion = "1.41";

    private readonly HttpClient _http;

    public ApiClient(DaemonAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        Address = address;
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = (_, ct) => ConnectAsync(address.SocketPath, ct),
            UseProxy = false,
            AllowAutoRedirect = false,
        };
        _http = new HttpClient(handler)
        {
            // The host name is never resolved: every connection goes to the socket.
            BaseAddress = new Uri($"http://netstack/v{ApiVersion}/"),
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public DaemonAddress Address { get; }

    public void Dispose() => _http.Dispose();

    // ---- system

    public async Task<string> PingAsync(CancellationToken ct = default)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, "_ping"), ct).ConfigureAwait(false);
        return await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
    }

    public Task<VersionResponse> VersionAsync(CancellationToken ct = default) =>
        GetAsync("version", ApiJsonContext.Default.VersionResponse, ct);

    public Task<InfoResponse> InfoAsync(CancellationToken ct = default) =>
        GetAsync("info", ApiJsonContext.Default.InfoResponse, ct);

    // ---- networks

    public Task<List<NetworkResource>> ListNetworksAsync(FilterSet? filters = null, CancellationToken ct = default) =>
        GetAsync("networks" + FiltersQuery(filters), ApiJsonContext.Default.ListNetworkResource, ct);

    public Task<NetworkResource> InspectNetworkAsync(string idOrName, CancellationToken ct = default) =>
        GetAsync($"networks/{Escape(idOrName)}", ApiJsonContext.Default.NetworkResource, ct);

    public Task<NetworkCreateResponse> CreateNetworkAsync(NetworkCreateRequest request, CancellationToken ct = default) =>
        PostAsync("networks/create", request, ApiJsonContext.Default.NetworkCreateRequest, ApiJsonContext.Default.NetworkCreateResponse, ct);

    public Task ConnectNetworkAsync(string network, NetworkConnectRequest request, CancellationToken ct = default) =>
        PostAsync($"networks/{Escape(network)}/connect", request, ApiJsonContext.Default.NetworkConnectRequest, ct);

    public Task DisconnectNetworkAsync(string network, NetworkDisconnectRequest request, CancellationToken ct = default) =>
        PostAsync($"networks/{Escape(network)}/disconnect", request, ApiJsonContext.Default.NetworkDisconnectRequest, ct);

    public Task RemoveNetworkAsync(string network, CancellationToken ct = default) =>
        SendEmptyAsync(HttpMethod.Delete, $"networks/{Escape(network)}", ct);

    public async Task<NetworkPruneResponse> PruneNetworksAsync(FilterSet? filters = null, CancellationToken ct = default)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Post, "networks/prune" + FiltersQuery(filters)), ct).ConfigureAwait(false);
        return await ReadAsync(response, ApiJsonContext.Default.NetworkPruneResponse, ct).ConfigureAwait(false);
    }

    // ---- gossip cluster (netstack's own)

    public Task<List<NodeResource>> ListNodesAsync(CancellationToken ct = default) =>
        GetAsync("nodes", ApiJsonContext.Default.ListNodeResource, ct);

    // ---- sandboxes (netstack's own)

    public Task<SandboxResource> CreateSandboxAsync(SandboxCreateRequest request, CancellationToken ct = default) =>
        PostAsync("sandboxes/create", request, ApiJsonContext.Default.SandboxCreateRequest, ApiJsonContext.Default.SandboxResource, ct);

    public Task<List<SandboxResource>> ListSandboxesAsync(CancellationToken ct = default) =>
        GetAsync("sandboxes", ApiJsonContext.Default.ListSandboxResource, ct);

    public Task RemoveSandboxAsync(string name, CancellationToken ct = default) =>
        SendEmptyAsync(HttpMethod.Delete, $"sandboxes/{Escape(name)}", ct);

    // ---- containers

    public Task<ContainerCreateResponse> CreateContainerAsync(string? name, ContainerCreateRequest request, CancellationToken ct = default) =>
        PostAsync("containers/create" + (string.IsNullOrEmpty(name) ? "" : "?name=" + Escape(name)),
            request, ApiJsonContext.Default.ContainerCreateRequest, ApiJsonContext.Default.ContainerCreateResponse, ct);

    public Task StartContainerAsync(string id, CancellationToken ct = default) =>
        SendEmptyAsync(HttpMethod.Post, $"containers/{Escape(id)}/start", ct);

    public Task StopContainerAsync(string id, int? timeoutSeconds = null, CancellationToken ct = default) =>
        SendEmptyAsync(HttpMethod.Post, $"containers/{Escape(id)}/stop" + (timeoutSeconds is { } t ? "?t=" + t.ToString(CultureInfo.InvariantCulture) : ""), ct);

    public Task KillContainerAsync(string id, string? signal = null, CancellationToken ct = default) =>
        SendEmptyAsync(HttpMethod.Post, $"containers/{Escape(id)}/kill" + (string.IsNullOrEmpty(signal) ? "" : "?signal=" + Escape(signal)), ct);

    public Task<List<ContainerSummary>> ListContainersAsync(bool all, CancellationToken ct = default) =>
        GetAsync("containers/json" + (all ? "?all=1" : ""), ApiJsonContext.Default.ListContainerSummary, ct);

    public Task<ContainerInspect> InspectContainerAsync(string id, CancellationToken ct = default) =>
        GetAsync($"containers/{Escape(id)}/json", ApiJsonContext.Default.ContainerInspect, ct);

    public Task RemoveContainerAsync(string id, bool force, CancellationToken ct = default) =>
        SendEmptyAsync(HttpMethod.Delete, $"containers/{Escape(id)}" + (force ? "?force=1" : ""), ct);

    public async Task<ContainerWaitResponse> WaitContainerAsync(string id, CancellationToken ct = default)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Post, $"containers/{Escape(id)}/wait"), ct).ConfigureAwait(false);
        return await ReadAsync(response, ApiJsonContext.Default.ContainerWaitResponse, ct).ConfigureAwait(false);
    }

    public Task<ContainerExecResponse> ExecAsync(string id, ContainerExecRequest request, CancellationToken ct = default) =>
        PostAsync($"containers/{Escape(id)}/exec/run", request, ApiJsonContext.Default.ContainerExecRequest, ApiJsonContext.Default.ContainerExecResponse, ct);

    /// <summary>
    /// Copies a container's log to <paramref name="stdout"/> and <paramref name="stderr"/>, undoing the
    /// engine's multiplexed stream (8-byte frame headers: stream 1 or 2, three zero bytes, big-endian length).
    /// </summary>
    public async Task LogsAsync(string id, bool follow, Stream stdout, Stream stderr, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var path = $"containers/{Escape(id)}/logs?stdout=1&stderr=1" + (follow ? "&follow=1" : "");
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, path), ct, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
        var body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        await using (body.ConfigureAwait(false))
        {
            await LogStream.DemultiplexAsync(body, stdout, stderr, ct).ConfigureAwait(false);
        }
    }

    // ---- images

    /// <summary>Imports a rootfs tarball as <c>repo:tag</c> through <c>POST /images/create?fromSrc=-</c>; returns the image id.</summary>
    public async Task<string> ImportImageAsync(Stream tarball, string repository, string tag, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(tarball);
        var request = new HttpRequestMessage(HttpMethod.Post, $"images/create?fromSrc=-&repo={Escape(repository)}&tag={Escape(tag)}")
        {
            Content = new StreamContent(tarball),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-tar");
        using var response = await SendAsync(request, ct).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        string? id = null;
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var message = JsonSerializer.Deserialize(line, ApiJsonContext.Default.ProgressMessage);
            if (message?.Error is { Length: > 0 } error)
            {
                throw new ApiException(response.StatusCode, error);
            }
            id = message?.Status ?? id;
        }
        return id ?? throw new ApiException(response.StatusCode, "the daemon did not report the imported image's id");
    }

    public Task<List<ImageSummary>> ListImagesAsync(CancellationToken ct = default) =>
        GetAsync("images/json", ApiJsonContext.Default.ListImageSummary, ct);

    public async Task<List<ImageDeleteItem>> RemoveImageAsync(string name, bool force, CancellationToken ct = default)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"images/{Escape(name)}" + (force ? "?force=1" : "")), ct).ConfigureAwait(false);
        return await ReadAsync(response, ApiJsonContext.Default.ListImageDeleteItem, ct).ConfigureAwait(false);
    }

    // ---- plumbing

    private static async ValueTask<Stream> ConnectAsync(string socketPath, CancellationToken ct)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static string Escape(string value) => Uri.EscapeDataString(value);

    private static string FiltersQuery(FilterSet? filters) =>
        filters is null || filters.IsEmpty ? "" : "?filters=" + Escape(filters.ToJson());

    private async Task<T> GetAsync<T>(string path, JsonTypeInfo<T> responseInfo, CancellationToken ct)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, path), ct).ConfigureAwait(false);
        return await ReadAsync(response, responseInfo, ct).ConfigureAwait(false);
    }

    private async Task<TResponse> PostAsync<TRequest, TResponse>(string path, TRequest body, JsonTypeInfo<TRequest> requestInfo, JsonTypeInfo<TResponse> responseInfo, CancellationToken ct)
    {
        using var response = await SendAsync(JsonRequest(path, body, requestInfo), ct).ConfigureAwait(false);
        return await ReadAsync(response, responseInfo, ct).ConfigureAwait(false);
    }

    private async Task PostAsync<TRequest>(string path, TRequest body, JsonTypeInfo<TRequest> requestInfo, CancellationToken ct)
    {
        using var response = await SendAsync(JsonRequest(path, body, requestInfo), ct).ConfigureAwait(false);
    }

    private async Task SendEmptyAsync(HttpMethod method, string path, CancellationToken ct)
    {
        using var response = await SendAsync(new HttpRequestMessage(method, path), ct).ConfigureAwait(false);
    }

    private static HttpRequestMessage JsonRequest<T>(string path, T body, JsonTypeInfo<T> info)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(body, info);
        var content = new ByteArrayContent(json);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> info, CancellationToken ct)
    {
        var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            try
            {
                return await JsonSerializer.DeserializeAsync(stream, info, ct).ConfigureAwait(false)
                    ?? throw new ApiException(response.StatusCode, $"the daemon answered {response.RequestMessage?.RequestUri?.AbsolutePath} with null");
            }
            catch (JsonException e)
            {
                throw new ApiException(response.StatusCode, $"the daemon's answer to {response.RequestMessage?.RequestUri?.AbsolutePath} is not valid JSON: {e.Message}", e);
            }
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct, HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        HttpResponseMessage response;
        try
        {
            using (request)
            {
                response = await _http.SendAsync(request, completion, ct).ConfigureAwait(false);
            }
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException socketError)
        {
            throw Unreachable(socketError, e);
        }
        catch (SocketException e)
        {
            throw Unreachable(e, e);
        }
        if (response.IsSuccessStatusCode)
        {
            return response;
        }
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            throw new ApiException(response.StatusCode, ErrorMessage(response.StatusCode, text));
        }
    }

    private ApiException Unreachable(SocketException error, Exception e)
    {
        // Connecting to a missing unix socket path fails with ENOENT, which .NET reports as "address not available".
        var why = File.Exists(Address.SocketPath) ? error.Message : "no such socket";
        return new ApiException(null, $"cannot connect to netstackd at {Address.Uri}: {why}. Is the daemon running?", e);
    }

    internal static string ErrorMessage(HttpStatusCode status, string body)
    {
        if (body.Length > 0 && body[0] == '{')
        {
            try
            {
                var error = JsonSerializer.Deserialize(body, ApiJsonContext.Default.ErrorResponse);
                if (!string.IsNullOrEmpty(error?.Message))
                {
                    return error.Message;
                }
            }
            catch (JsonException)
            {
                // Fall through to the raw text: a broken error body is still worth showing.
            }
        }
        var trimmed = body.Trim();
        return trimmed.Length > 0
            ? trimmed
            : string.Create(CultureInfo.InvariantCulture, $"the daemon answered {(int)status} {status}");
    }
}
