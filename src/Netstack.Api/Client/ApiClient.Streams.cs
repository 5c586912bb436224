using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Netstack.Api.Contracts.Containers;
using Netstack.Api.Serialization;

namespace Netstack.Api.Client;

/// <summary>The engine's interactive routes: hijacked attach and exec start, resize, exec instances.</summary>
public sealed partial class ApiClient
{
    /// <summary>
    /// <c>POST /containers/{id}/attach</c> upgraded to a raw connection: the container's output
    /// (raw with a terminal, else multiplexed frames) to read, its stdin to write.
    /// </summary>
    public Task<Stream> AttachAsync(string id, bool stdin, string? detachKeys = null, CancellationToken ct = default) =>
        HijackAsync($"containers/{Escape(id)}/attach?stream=1&stdout=1&stderr=1" + (stdin ? "&stdin=1" : "") + (detachKeys is null ? "" : "&detachKeys=" + Escape(detachKeys)), ct);

    /// <summary><c>POST /containers/{id}/wait?condition=C</c>: <c>next-exit</c> or <c>removed</c> asked before a start, so the exit is not missed.</summary>
    public async Task<ContainerWaitResponse> WaitContainerAsync(string id, string condition, CancellationToken ct = default)
    {
        var path = $"containers/{Escape(id)}/wait?condition={Escape(condition)}";
        using var response = await SendAsync(Post, path, ct).ConfigureAwait(false);
        return await ReadAsync(response, path, ApiJsonContext.Default.ContainerWaitResponse, ct).ConfigureAwait(false);
    }

    public Task ResizeContainerAsync(string id, int height, int width, CancellationToken ct = default) =>
        SendEmptyAsync(Post, string.Create(CultureInfo.InvariantCulture, $"containers/{Escape(id)}/resize?h={height}&w={width}"), ct);

    public Task<ExecCreateResponse> CreateExecAsync(string id, ExecConfig config, CancellationToken ct = default) =>
        PostAsync($"containers/{Escape(id)}/exec", config, ApiJsonContext.Default.ExecConfig, ApiJsonContext.Default.ExecCreateResponse, ct);

    /// <summary><c>POST /exec/{id}/start</c> upgraded to a raw connection (body-less: the exec instance knows its Tty).</summary>
    public Task<Stream> StartExecAsync(string execId, CancellationToken ct = default) =>
        HijackAsync($"exec/{Escape(execId)}/start", ct);

    public Task ResizeExecAsync(string execId, int height, int width, CancellationToken ct = default) =>
        SendEmptyAsync(Post, string.Create(CultureInfo.InvariantCulture, $"exec/{Escape(execId)}/resize?h={height}&w={width}"), ct);

    public Task<ExecInspect> InspectExecAsync(string execId, CancellationToken ct = default) =>
        GetAsync($"exec/{Escape(execId)}/json", ApiJsonContext.Default.ExecInspect, ct);

    /// <summary>
    /// An upgrade request (<c>Connection: Upgrade</c>, <c>Upgrade: tcp</c>) on a connection of its
    /// own; after the daemon's 101 the connection is the stream. Any other answer is an <see cref="ApiException"/>.
    /// </summary>
    private async Task<Stream> HijackAsync(string path, CancellationToken ct)
    {
        var target = Target(path);
        _trace?.Invoke("hijack POST " + target);
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(Address.SocketPath), ct).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw Unreachable(e, e);
        }
        var stream = new NetworkStream(socket, ownsSocket: true);
        try
        {
            var head = Encoding.ASCII.GetBytes($"POST {target} HTTP/1.1\r\nHost: netstack\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 0\r\n\r\n");
            await stream.WriteAsync(head, ct).ConfigureAwait(false);
            // The answer's head byte by byte, so nothing of the raw stream after it is read here.
            var answer = new List<byte>();
            var one = new byte[1];
            while (answer.Count < 4 || answer[^4] != '\r' || answer[^3] != '\n' || answer[^2] != '\r' || answer[^1] != '\n')
            {
                if (await stream.ReadAsync(one, ct).ConfigureAwait(false) == 0 || answer.Count > 64 * 1024)
                {
                    throw new IOException("the connection ended inside the answer's head");
                }
                answer.Add(one[0]);
            }
            var text = Encoding.ASCII.GetString([.. answer]);
            var parts = text.Split(' ', 3);
            var status = parts.Length > 1 && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var code) ? code : 0;
            if (status == 101)
            {
                return stream;
            }
            var length = text.Split("\r\n").Select(l => l.Split(':', 2)).Where(kv => kv.Length == 2 && kv[0].Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                .Select(kv => int.TryParse(kv[1].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0).FirstOrDefault();
            var body = new byte[Math.Min(length, 64 * 1024)];
            await stream.ReadExactlyAsync(body, ct).ConfigureAwait(false);
            await stream.DisposeAsync().ConfigureAwait(false);
            throw new ApiException((HttpStatusCode)status, ErrorMessage((HttpStatusCode)status, Encoding.UTF8.GetString(body)));
        }
        catch (IOException e)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw Broken(target, e);
        }
    }
}
