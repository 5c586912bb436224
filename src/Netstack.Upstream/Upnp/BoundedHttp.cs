using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Netstack.Upstream.Upnp;

/// <summary>
/// The HTTP a UPnP client needs, bounded: one time-out for the whole exchange (connect, send,
/// headers, body), a cap on the body read (more is an error, not a truncation), headers limited,
/// no redirects, and never a proxy (the router is on the LAN; an HTTP_PROXY in the environment must
/// not carry our requests elsewhere).
/// </summary>
internal sealed class BoundedHttp : IDisposable
{
    private readonly HttpClient _client;
    private readonly TimeSpan _timeout;

    public BoundedHttp(TimeSpan timeout)
    {
        _timeout = timeout;
        _client = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            ConnectTimeout = timeout,
            MaxResponseHeadersLength = 16, // KiB
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
            UseCookies = false,
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public async Task<(HttpStatusCode Status, string Body)> SendAsync(HttpRequestMessage request, int maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        try
        {
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            if (response.Content.Headers.ContentLength is { } length && length > maxBytes)
            {
                throw new HttpRequestException($"{request.RequestUri} answered {length} bytes, more than the {maxBytes} allowed");
            }
            var stream = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                var buffer = new byte[maxBytes + 1];
                var total = 0;
                while (total < buffer.Length)
                {
                    var read = await stream.ReadAsync(buffer.AsMemory(total), timeout.Token).ConfigureAwait(false);
                    if (read == 0)
                    {
                        break;
                    }
                    total += read;
                }
                if (total > maxBytes)
                {
                    throw new HttpRequestException($"{request.RequestUri} answered more than the {maxBytes} bytes allowed");
                }
                return (response.StatusCode, Encoding.UTF8.GetString(buffer, 0, total));
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{request.RequestUri} did not answer within {_timeout.TotalSeconds:0.##} s");
        }
    }

    public static HttpRequestMessage Soap(Uri controlUrl, string serviceType, string action, string envelope)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, controlUrl)
        {
            Content = new StringContent(envelope, Encoding.UTF8),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("text/xml") { CharSet = "utf-8" };
        request.Headers.TryAddWithoutValidation("SOAPAction", $"\"{serviceType}#{action}\"");
        return request;
    }

    public void Dispose() => _client.Dispose();
}
