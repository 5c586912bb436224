using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Netstack.Core;
using Netstack.Drivers.Remote.Logging;
using Netstack.Drivers.Remote.Protocol;

namespace Netstack.Drivers.Remote.Plugins;

/// <summary>
/// One plugin's side of Docker's plugin protocol: HTTP POST of JSON to <c>/Service.Method</c> over
/// its unix socket or TCP, with <c>Accept: application/vnd.docker.plugins.v1.2+json</c>. Activation
/// is retried with doubling pauses while the plugin cannot be reached (it may still be starting), up
/// to <see cref="RemoteDriverOptions.ActivationTimeout"/>, and remembered once it succeeds. Every
/// call has <see cref="RemoteDriverOptions.CallTimeout"/>. Failures are Netstack errors naming the
/// plugin, the call and what went wrong: unreachable, no answer in time, connection closed, an
/// error status, a body that is not JSON or not the expected shape (<see cref="UnavailableException"/>);
/// a method the plugin does not serve (HTTP 404, <see cref="NotImplementedNetstackException"/>);
/// an <c>Err</c> answer (<see cref="PluginErrorException"/>).
/// </summary>
public sealed class PluginClient : IDisposable
{
    /// <summary>The media type of Docker's plugin protocol, version 1.2.</summary>
    public const string MediaType = "application/vnd.docker.plugins.v1.2+json";

    private const string ActivateMethod = "Plugin.Activate";

    private readonly RemoteDriverOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly HttpClient _http;
    private readonly Uri _base;
    private readonly SemaphoreSlim _activation = new(1, 1);
    private IReadOnlyList<string>? _implements;

    public PluginClient(PluginEndpoint endpoint, RemoteDriverOptions options, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(options);
        Endpoint = endpoint;
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        var handler = new SocketsHttpHandler
        {
            // A plugin restarted behind its socket leaves pooled connections dead: keep few, briefly.
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(5),
            MaxConnectionsPerServer = 16,
            UseProxy = false,
            AllowAutoRedirect = false,
        };
        if (endpoint.IsUnixSocket)
        {
            var path = endpoint.Address.AbsolutePath;
            handler.ConnectCallback = (_, ct) => ConnectUnixAsync(path, ct);
            // The host name is not used on a unix socket; it only has to be a valid one.
            _base = new Uri("http://plugin/");
        }
        else
        {
            var secure = endpoint.Address.Scheme == "https" || (endpoint.Address.Scheme == "tcp" && endpoint.Tls is not null);
            _base = new UriBuilder(secure ? "https" : "http", endpoint.Address.Host, endpoint.Address.Port, "/").Uri;
            if (endpoint.Tls is { } tls)
            {
                handler.SslOptions = ClientTls(tls);
            }
        }
        _http = new HttpClient(handler, disposeHandler: true)
        {
            // Every call sets its own deadline (see SendAsync).
            Timeout = Timeout.InfiniteTimeSpan,
            MaxResponseContentBufferSize = options.MaxResponseBytes,
        };
    }

    public PluginEndpoint Endpoint { get; }

    /// <summary>
    /// <c>/Plugin.Activate</c>, once: the subsystems the plugin implements. Retried while the plugin
    /// cannot be reached, up to the activation timeout; a failure is not remembered (the next call tries again).
    /// </summary>
    public async Task<IReadOnlyList<string>> ActivateAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _implements) is { } known)
        {
            return known;
        }
        await _activation.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_implements is { } raced)
            {
                return raced;
            }
            var response = await SendWithRetryAsync(ActivateMethod, new EmptyRequest(), PluginJsonContext.Default.EmptyRequest,
                PluginJsonContext.Default.ActivateResponse, cancellationToken).ConfigureAwait(false);
            if (response.Implements is not { } implements)
            {
                throw Garbage(ActivateMethod, "the answer has no \"Implements\" list");
            }
            Log.PluginActivated(_logger, Endpoint.Name, Endpoint.Address.ToString(), string.Join(", ", implements));
            Volatile.Write(ref _implements, implements);
            return implements;
        }
        finally
        {
            _activation.Release();
        }
    }

    /// <summary>Activates the plugin and checks it implements <paramref name="subsystem"/> (<c>NetworkDriver</c>, <c>IpamDriver</c>).</summary>
    public async Task EnsureImplementsAsync(string subsystem, CancellationToken cancellationToken)
    {
        var implements = await ActivateAsync(cancellationToken).ConfigureAwait(false);
        if (!implements.Contains(subsystem, StringComparer.Ordinal))
        {
            throw new NotImplementedNetstackException($"{Endpoint} implements {(implements.Count == 0 ? "nothing" : string.Join(", ", implements))}, not {subsystem}");
        }
    }

    /// <summary>One call of an activated plugin (activation first when it has not happened yet).</summary>
    internal async Task<TResponse> CallAsync<TRequest, TResponse>(string method, TRequest request, JsonTypeInfo<TRequest> requestType,
        JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
        where TResponse : PluginResponse
    {
        await ActivateAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await SendAsync(method, request, requestType, responseType, _options.CallTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (ConnectFailure e)
        {
            // Only activation waits for a plugin to come up; an activated plugin that went away is down.
            throw new UnavailableException($"{Endpoint}: {method}: cannot connect: {e.Message} (is the plugin still running?)", e.InnerException);
        }
    }

    public void Dispose()
    {
        _http.Dispose();
        _activation.Dispose();
    }

    private async Task<TResponse> SendWithRetryAsync<TRequest, TResponse>(string method, TRequest request, JsonTypeInfo<TRequest> requestType,
        JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
        where TResponse : PluginResponse
    {
        var started = _time.GetTimestamp();
        var pause = _options.InitialActivationBackoff;
        for (var attempt = 1; ; attempt++)
        {
            var left = _options.ActivationTimeout - _time.GetElapsedTime(started);
            try
            {
                return await SendAsync(method, request, requestType, responseType, left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1), cancellationToken).ConfigureAwait(false);
            }
            catch (ConnectFailure e)
            {
                var elapsed = _time.GetElapsedTime(started);
                if (elapsed + pause >= _options.ActivationTimeout)
                {
                    throw new UnavailableException(
                        $"{Endpoint}: {method}: cannot connect after {attempt} attempt(s) in {Seconds(elapsed)}: {e.Message} (found by {Endpoint.Source}; is the plugin running?)", e.InnerException);
                }
                Log.ActivationRetry(_logger, Endpoint.Name, attempt, e.Message);
                await Task.Delay(pause, _time, cancellationToken).ConfigureAwait(false);
                pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, _options.MaxActivationBackoff.Ticks));
            }
        }
    }

    /// <summary>
    /// One request and its answer within <paramref name="timeout"/>. Connection failures come out as
    /// <see cref="ConnectFailure"/> (the caller decides whether to retry); everything else as the
    /// Netstack error of the class comment.
    /// </summary>
    private async Task<TResponse> SendAsync<TRequest, TResponse>(string method, TRequest request, JsonTypeInfo<TRequest> requestType,
        JsonTypeInfo<TResponse> responseType, TimeSpan timeout, CancellationToken cancellationToken)
        where TResponse : PluginResponse
    {
        using var deadline = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var body = JsonSerializer.SerializeToUtf8Bytes(request, requestType);
        using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(_base, method)) { Content = new ByteArrayContent(body) };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue(MediaType);
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(MediaType));
        HttpStatusCode status;
        string? contentType;
        byte[] answer;
        try
        {
            using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            status = response.StatusCode;
            contentType = response.Content.Headers.ContentType?.MediaType;
            answer = await ReadBoundedAsync(response.Content, method, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new UnavailableException($"{Endpoint}: {method}: no answer within {Seconds(timeout)} (the plugin hangs or is overloaded)");
        }
        catch (HttpRequestException e) when (e.HttpRequestError is HttpRequestError.ConnectionError || e.InnerException is SocketException)
        {
            throw new ConnectFailure(ConnectMessage(e), e);
        }
        catch (HttpRequestException e)
        {
            throw new UnavailableException($"{Endpoint}: {method}: the connection failed before a full answer ({Describe(e)})", e);
        }
        catch (IOException e)
        {
            throw new UnavailableException($"{Endpoint}: {method}: the connection failed before a full answer ({e.Message})", e);
        }
        return Decode(method, status, contentType, answer, responseType);
    }

    private TResponse Decode<TResponse>(string method, HttpStatusCode status, string? contentType, byte[] answer, JsonTypeInfo<TResponse> responseType)
        where TResponse : PluginResponse
    {
        if (status == HttpStatusCode.NotFound)
        {
            // Docker's plugins.IsNotFound: the plugin does not serve this method (optional ones may be skipped).
            throw new NotImplementedNetstackException($"{Endpoint} does not serve {method} (HTTP 404)");
        }
        if (status != HttpStatusCode.OK)
        {
            if (TryReadErr(answer) is { } refusal)
            {
                throw new PluginErrorException(Endpoint, method, refusal, (int)status);
            }
            throw Garbage(method, $"HTTP {(int)status} {status} without an \"Err\": {Snippet(answer)}");
        }
        if (contentType is not null && !IsJson(contentType))
        {
            throw Garbage(method, $"the answer is {contentType}, not JSON ({MediaType} or application/json): {Snippet(answer)}");
        }
        TResponse? decoded;
        try
        {
            decoded = JsonSerializer.Deserialize(answer, responseType);
        }
        catch (JsonException e)
        {
            throw Garbage(method, $"the answer is not the JSON expected ({e.Message}): {Snippet(answer)}");
        }
        if (decoded is null)
        {
            throw Garbage(method, "the answer is JSON null, not an object");
        }
        if (!string.IsNullOrEmpty(decoded.Err))
        {
            throw new PluginErrorException(Endpoint, method, decoded.Err, (int)status);
        }
        return decoded;
    }

    /// <summary>A plugin answer that breaks the protocol; the call's name and what was wrong are in the message.</summary>
    internal UnavailableException Garbage(string method, string what) => new($"{Endpoint}: {method}: bad answer: {what}");

    private async Task<byte[]> ReadBoundedAsync(HttpContent content, string method, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength > _options.MaxResponseBytes)
        {
            throw Garbage(method, $"the answer is {content.Headers.ContentLength} bytes, more than the {_options.MaxResponseBytes} accepted");
        }
        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > _options.MaxResponseBytes)
                {
                    throw Garbage(method, $"the answer is more than the {_options.MaxResponseBytes} bytes accepted");
                }
                buffer.Write(chunk, 0, read);
            }
            return buffer.ToArray();
        }
    }

    private static string? TryReadErr(byte[] answer)
    {
        try
        {
            return JsonSerializer.Deserialize(answer, PluginJsonContext.Default.EmptyResponse)?.Err is { Length: > 0 } err ? err : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Docker's plugins answer its versioned type; SDKs and hand-written ones often plain JSON.</summary>
    private static bool IsJson(string mediaType) =>
        mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
        || (mediaType.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase));

    private static string Snippet(byte[] answer)
    {
        if (answer.Length == 0)
        {
            return "(empty body)";
        }
        var text = Encoding.UTF8.GetString(answer, 0, Math.Min(answer.Length, 200)).ReplaceLineEndings(" ");
        return answer.Length > 200 ? $"\"{text}...\" ({answer.Length} bytes)" : $"\"{text}\"";
    }

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";

    private string ConnectMessage(HttpRequestException e)
    {
        // .NET reports a missing socket file as EADDRNOTAVAIL; say what it is.
        if (Endpoint.IsUnixSocket && !File.Exists(Endpoint.Address.AbsolutePath))
        {
            return $"connecting to {Endpoint.Address} failed: the socket {Endpoint.Address.AbsolutePath} does not exist";
        }
        return $"connecting to {Endpoint.Address} failed: {(e.InnerException is SocketException s ? s.Message : e.Message)}";
    }

    private static string Describe(HttpRequestException e) =>
        e.InnerException is { } inner ? $"{e.Message} {inner.Message}" : e.Message;

    private static async ValueTask<Stream> ConnectUnixAsync(string path, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static SslClientAuthenticationOptions ClientTls(PluginTls tls)
    {
        var ssl = new SslClientAuthenticationOptions();
        if (tls.CertFile is { Length: > 0 } cert)
        {
            ssl.ClientCertificates = [X509Certificate2.CreateFromPemFile(cert, tls.KeyFile is { Length: > 0 } key ? key : null)];
        }
        if (tls.InsecureSkipVerify)
        {
            ssl.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        }
        else if (tls.CAFile is { Length: > 0 } caFile)
        {
            var authorities = new X509Certificate2Collection();
            authorities.ImportFromPemFile(caFile);
            ssl.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
                {
                    return false;
                }
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                using var leaf = new X509Certificate2(certificate);
                return chain.Build(leaf);
            };
        }
        return ssl;
    }

    /// <summary>The plugin could not be connected to (nothing listening, no socket yet): the one failure activation retries.</summary>
    private sealed class ConnectFailure(string message, Exception inner) : Exception(message, inner);
}
