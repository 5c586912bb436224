using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Netstack.Api.Client.Http;
using Netstack.Api.Contracts.Capture;
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
/// daemon's message. The transport is a small HTTP/1.1 client of our own (<see cref="UnixHttpTransport"/>),
/// not HttpClient, because the CLI's start-up time is mostly the first request's.
/// </summary>
public sealed partial class ApiClient : IDisposable
{
    public const string ApiVersion = "1.41";

    private const string Get = "GET";
    private const string Post = "POST";
    private const string Delete = "DELETE";

    private readonly UnixHttpTransport _transport;
    private readonly Action<string>? _trace;

    /// <param name="address">The daemon's socket.</param>
    /// <param name="trace">Told the phase of every request (connected, sent, answered, body read), for start-up timing; null for none.</param>
    /// <param name="blockingIo">
    /// Blocking socket calls under the async methods: what a one-shot CLI process wants (no socket event
    /// loop to start, ~10-20 ms less), not a process that serves others on its thread pool.
    /// </param>
    public ApiClient(DaemonAddress address, Action<string>? trace = null, bool blockingIo = false)
    {
        ArgumentNullException.ThrowIfNull(address);
        Address = address;
        _trace = trace;
        _transport = new UnixHttpTransport(address.SocketPath, trace, blockingIo);
    }

    public DaemonAddress Address { get; }

    /// <summary>Nothing to release: every request has its own connection, closed with its answer.</summary>
    public void Dispose()
    {
    }

    // ---- system

    public async Task<string> PingAsync(CancellationToken ct = default)
    {
        using var response = await SendAsync(Get, "_ping", ct).ConfigureAwait(false);
        return Encoding.UTF8.GetString(await response.Reader.ReadBodyToEndAsync(ct).ConfigureAwait(false));
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
        PostAsync("networks/create", request, RequestJsonContext.Default.NetworkCreateRequest, ApiJsonContext.Default.NetworkCreateResponse, ct);

    public Task ConnectNetworkAsync(string network, NetworkConnectRequest request, CancellationToken ct = default) =>
        PostAsync($"networks/{Escape(network)}/connect", request, RequestJsonContext.Default.NetworkConnectRequest, ct);

    public Task DisconnectNetworkAsync(string network, NetworkDisconnectRequest request, CancellationToken ct = default) =>
        PostAsync($"networks/{Escape(network)}/disconnect", request, RequestJsonContext.Default.NetworkDisconnectRequest, ct);

    public Task RemoveNetworkAsync(string network, CancellationToken ct = default) =>
        SendEmptyAsync(Delete, $"networks/{Escape(network)}", ct);

    public async Task<NetworkPruneResponse> PruneNetworksAsync(FilterSet? filters = null, CancellationToken ct = default)
    {
        var path = "networks/prune" + FiltersQuery(filters);
        using var response = await SendAsync(Post, path, ct).ConfigureAwait(false);
        return await ReadAsync(response, path, ApiJsonContext.Default.NetworkPruneResponse, ct).ConfigureAwait(false);
    }

    // ---- gossip cluster (netstack's own)

    public Task<List<NodeResource>> ListNodesAsync(CancellationToken ct = default) =>
        GetAsync("nodes", ApiJsonContext.Default.ListNodeResource, ct);

    // ---- upstream port mapping (netstack's own)

    public Task<Contracts.Upstream.UpstreamStatus> GetUpstreamAsync(CancellationToken ct = default) =>
        GetAsync("upstream", UpstreamJsonContext.Default.UpstreamStatus, ct);

    // ---- sandboxes (netstack's own)

    public Task<SandboxResource> CreateSandboxAsync(SandboxCreateRequest request, CancellationToken ct = default) =>
        PostAsync("sandboxes/create", request, RequestJsonContext.Default.SandboxCreateRequest, ApiJsonContext.Default.SandboxResource, ct);

    public Task<List<SandboxResource>> ListSandboxesAsync(CancellationToken ct = default) =>
        GetAsync("sandboxes", ApiJsonContext.Default.ListSandboxResource, ct);

    public Task RemoveSandboxAsync(string name, CancellationToken ct = default) =>
        SendEmptyAsync(Delete, $"sandboxes/{Escape(name)}", ct);

    // ---- containers

    public Task<ContainerCreateResponse> CreateContainerAsync(string? name, ContainerCreateRequest request, CancellationToken ct = default) =>
        PostAsync("containers/create" + (string.IsNullOrEmpty(name) ? "" : "?name=" + Escape(name)),
            request, RequestJsonContext.Default.ContainerCreateRequest, ApiJsonContext.Default.ContainerCreateResponse, ct);

    public Task StartContainerAsync(string id, CancellationToken ct = default) =>
        SendEmptyAsync(Post, $"containers/{Escape(id)}/start", ct);

    public Task StopContainerAsync(string id, int? timeoutSeconds = null, CancellationToken ct = default) =>
        SendEmptyAsync(Post, $"containers/{Escape(id)}/stop" + (timeoutSeconds is { } t ? "?t=" + t.ToString(CultureInfo.InvariantCulture) : ""), ct);

    public Task KillContainerAsync(string id, string? signal = null, CancellationToken ct = default) =>
        SendEmptyAsync(Post, $"containers/{Escape(id)}/kill" + (string.IsNullOrEmpty(signal) ? "" : "?signal=" + Escape(signal)), ct);

    public Task<List<ContainerSummary>> ListContainersAsync(bool all, CancellationToken ct = default) =>
        GetAsync("containers/json" + (all ? "?all=1" : ""), ApiJsonContext.Default.ListContainerSummary, ct);

    public Task<ContainerInspect> InspectContainerAsync(string id, CancellationToken ct = default) =>
        GetAsync($"containers/{Escape(id)}/json", ApiJsonContext.Default.ContainerInspect, ct);

    public Task RemoveContainerAsync(string id, bool force, CancellationToken ct = default) =>
        SendEmptyAsync(Delete, $"containers/{Escape(id)}" + (force ? "?force=1" : ""), ct);

    public async Task<ContainerWaitResponse> WaitContainerAsync(string id, CancellationToken ct = default)
    {
        var path = $"containers/{Escape(id)}/wait";
        using var response = await SendAsync(Post, path, ct).ConfigureAwait(false);
        return await ReadAsync(response, path, ApiJsonContext.Default.ContainerWaitResponse, ct).ConfigureAwait(false);
    }

    public Task<ContainerExecResponse> ExecAsync(string id, ContainerExecRequest request, CancellationToken ct = default) =>
        PostAsync($"containers/{Escape(id)}/exec/run", request, RequestJsonContext.Default.ContainerExecRequest, ApiJsonContext.Default.ContainerExecResponse, ct);

    /// <summary>
    /// Copies a container's log to <paramref name="stdout"/> and <paramref name="stderr"/>, undoing the
    /// engine's multiplexed stream (8-byte frame headers: stream 1 or 2, three zero bytes, big-endian length).
    /// </summary>
    public async Task LogsAsync(string id, bool follow, Stream stdout, Stream stderr, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var path = $"containers/{Escape(id)}/logs?stdout=1&stderr=1" + (follow ? "&follow=1" : "");
        using var response = await SendAsync(Get, path, ct).ConfigureAwait(false);
        var body = response.OpenBody();
        await using (body.ConfigureAwait(false))
        {
            await LogStream.DemultiplexAsync(body, stdout, stderr, ct).ConfigureAwait(false);
        }
    }

    /// <summary>One reading of a container's stats with the previous one in precpu_stats (<c>GET /containers/{id}/stats?stream=0</c>).</summary>
    public Task<ContainerStatsResponse> StatsAsync(string id, CancellationToken ct = default) =>
        GetAsync($"containers/{Escape(id)}/stats?stream=0", ApiJsonContext.Default.ContainerStatsResponse, ct);

    /// <summary>A container's stats as they come, one reading a second (<c>stream=1</c>), until <paramref name="ct"/> is cancelled or the daemon ends the stream.</summary>
    public async IAsyncEnumerable<ContainerStatsResponse> StatsStreamAsync(string id, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        var path = $"containers/{Escape(id)}/stats?stream=1";
        // A 4xx (no such container) throws here with the daemon's message.
        using var response = await SendAsync(Get, path, ct).ConfigureAwait(false);
        var body = response.OpenBody();
        await using (body.ConfigureAwait(false))
        {
            using var reader = new StreamReader(body, Encoding.UTF8);
            while (await reader.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
            {
                if (line.Length > 0 && JsonSerializer.Deserialize(line, ApiJsonContext.Default.ContainerStatsResponse) is { } stats)
                {
                    yield return stats;
                }
            }
        }
    }

    // ---- capture (netstack's own)

    /// <summary>
    /// Starts a capture (<c>POST /debug/capture</c>); bad input fails here with the daemon's 4xx, before
    /// any packet. Dispose the reader (or cancel <paramref name="ct"/>) to stop the capture.
    /// </summary>
    public async Task<CaptureStreamReader> CaptureAsync(CaptureRequest request, CancellationToken ct = default)
    {
        var response = await SendAsync(JsonRequest("debug/capture", request, CaptureJsonContext.Default.CaptureRequest), ct).ConfigureAwait(false);
        return new CaptureStreamReader(response, ct);
    }

    /// <summary><c>POST /debug/trace</c>: one probe from a container, captured at every hop of this host.</summary>
    public Task<TraceResult> TraceAsync(TraceRequest request, CancellationToken ct = default) =>
        PostAsync("debug/trace", request, CaptureJsonContext.Default.TraceRequest, CaptureJsonContext.Default.TraceResult, ct);

    // ---- images

    /// <summary>Imports a rootfs tarball as <c>repo:tag</c> through <c>POST /images/create?fromSrc=-</c>; returns the image id.</summary>
    public async Task<string> ImportImageAsync(Stream tarball, string repository, string tag, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(tarball);
        var request = new HttpRequest(Post, Target($"images/create?fromSrc=-&repo={Escape(repository)}&tag={Escape(tag)}"))
        {
            ContentType = "application/x-tar",
            BodyStream = tarball,
        };
        using var response = await SendAsync(request, ct).ConfigureAwait(false);
        var text = Encoding.UTF8.GetString(await response.Reader.ReadBodyToEndAsync(ct).ConfigureAwait(false));
        string? id = null;
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var message = JsonSerializer.Deserialize(line, ApiJsonContext.Default.ProgressMessage);
            if (message?.Error is { Length: > 0 } error)
            {
                throw new ApiException((HttpStatusCode)response.StatusCode, error);
            }
            id = message?.Status ?? id;
        }
        return id ?? throw new ApiException((HttpStatusCode)response.StatusCode, "the daemon did not report the imported image's id");
    }

    public Task<List<ImageSummary>> ListImagesAsync(CancellationToken ct = default) =>
        GetAsync("images/json", ApiJsonContext.Default.ListImageSummary, ct);

    public async Task<List<ImageDeleteItem>> RemoveImageAsync(string name, bool force, CancellationToken ct = default)
    {
        var path = $"images/{Escape(name)}" + (force ? "?force=1" : "");
        using var response = await SendAsync(Delete, path, ct).ConfigureAwait(false);
        return await ReadAsync(response, path, ApiJsonContext.Default.ListImageDeleteItem, ct).ConfigureAwait(false);
    }

    // ---- plumbing

    private static string Escape(string value) => Uri.EscapeDataString(value);

    private static string Target(string path) => $"/v{ApiVersion}/{path}";

    private static string FiltersQuery(FilterSet? filters) =>
        filters is null || filters.IsEmpty ? "" : "?filters=" + Escape(filters.ToJson());

    private async Task<T> GetAsync<T>(string path, JsonTypeInfo<T> responseInfo, CancellationToken ct)
    {
        using var response = await SendAsync(Get, path, ct).ConfigureAwait(false);
        return await ReadAsync(response, path, responseInfo, ct).ConfigureAwait(false);
    }

    private async Task<TResponse> PostAsync<TRequest, TResponse>(string path, TRequest body, JsonTypeInfo<TRequest> requestInfo, JsonTypeInfo<TResponse> responseInfo, CancellationToken ct)
    {
        using var response = await SendAsync(JsonRequest(path, body, requestInfo), ct).ConfigureAwait(false);
        return await ReadAsync(response, path, responseInfo, ct).ConfigureAwait(false);
    }

    private async Task PostAsync<TRequest>(string path, TRequest body, JsonTypeInfo<TRequest> requestInfo, CancellationToken ct)
    {
        using var response = await SendAsync(JsonRequest(path, body, requestInfo), ct).ConfigureAwait(false);
    }

    private async Task SendEmptyAsync(string method, string path, CancellationToken ct)
    {
        using var response = await SendAsync(method, path, ct).ConfigureAwait(false);
    }

    private HttpRequest JsonRequest<T>(string path, T body, JsonTypeInfo<T> info)
    {
        _trace?.Invoke("serializing");
        var json = JsonSerializer.SerializeToUtf8Bytes(body, info);
        _trace?.Invoke("serialized");
        return new HttpRequest(Post, Target(path)) { ContentType = "application/json", Body = json };
    }

    private async Task<T> ReadAsync<T>(HttpResponse response, string path, JsonTypeInfo<T> info, CancellationToken ct)
    {
        var status = (HttpStatusCode)response.StatusCode;
        var bytes = await ReadBodyAsync(response, path, ct).ConfigureAwait(false);
        _trace?.Invoke(string.Create(CultureInfo.InvariantCulture, $"body {bytes.Length} bytes"));
        try
        {
            var value = JsonSerializer.Deserialize(bytes, info);
            _trace?.Invoke("deserialized");
            return value ?? throw new ApiException(status, $"the daemon answered {AbsolutePath(path)} with null");
        }
        catch (JsonException e)
        {
            throw new ApiException(status, $"the daemon's answer to {AbsolutePath(path)} is not valid JSON: {e.Message}", e);
        }
    }

    private async Task<byte[]> ReadBodyAsync(HttpResponse response, string path, CancellationToken ct)
    {
        try
        {
            return await response.Reader.ReadBodyToEndAsync(ct).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw Broken(path, e);
        }
    }

    private Task<HttpResponse> SendAsync(string method, string path, CancellationToken ct) =>
        SendAsync(new HttpRequest(method, Target(path)), ct);

    private async Task<HttpResponse> SendAsync(HttpRequest request, CancellationToken ct)
    {
        _trace?.Invoke("request " + request.Method + " " + request.Target);
        HttpResponse response;
        try
        {
            response = await _transport.SendAsync(request, ct).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            throw Unreachable(e, e);
        }
        catch (IOException e)
        {
            throw Broken(request.Target, e);
        }
        if (response.IsSuccess)
        {
            return response;
        }
        using (response)
        {
            var status = (HttpStatusCode)response.StatusCode;
            var text = Encoding.UTF8.GetString(await ReadBodyAsync(response, request.Target, ct).ConfigureAwait(false));
            throw new ApiException(status, ErrorMessage(status, text));
        }
    }

    // The path part of a target, as HttpClient's RequestUri.AbsolutePath showed it in messages.
    private static string AbsolutePath(string pathOrTarget)
    {
        var target = pathOrTarget.StartsWith('/') ? pathOrTarget : Target(pathOrTarget);
        var query = target.IndexOf('?', StringComparison.Ordinal);
        return query < 0 ? target : target[..query];
    }

    private ApiException Broken(string pathOrTarget, IOException e) =>
        new(null, $"netstackd at {Address.Uri} broke off its answer to {AbsolutePath(pathOrTarget)}: {e.Message}", e);

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
