using System.Net.Sockets;
using System.Text;

namespace Netstack.Privileged.Tests.Streams;

/// <summary>
/// HTTP/1.1 on the daemon's unix socket byte by byte, as the docker CLI speaks it on a hijacked
/// connection: the test decides exactly when the client half-closes, which no HTTP library lets
/// it do. Plain requests get one connection each (Connection: close) and return status and body.
/// </summary>
internal static class RawEngineClient
{
    public static async Task<(int Status, string Body)> RequestAsync(string socketPath, string method, string path, string? json = null)
    {
        using var socket = await ConnectAsync(socketPath);
        await SendAsync(socket, Head(method, path, json, upgrade: false) + (json ?? ""));
        var (head, body) = SplitHead(await ReadToEndAsync(socket));
        var text = Encoding.UTF8.GetString(body);
        return (StatusOf(head), head.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase) ? Unchunk(text) : text);
    }

    private static string Unchunk(string text)
    {
        var result = new StringBuilder();
        var at = 0;
        while (true)
        {
            var eol = text.IndexOf("\r\n", at, StringComparison.Ordinal);
            var size = Convert.ToInt32(text[at..eol].Split(';')[0], 16);
            if (size == 0)
            {
                return result.ToString();
            }
            result.Append(text, eol + 2, size);
            at = eol + 2 + size + 2;
        }
    }

    /// <summary>
    /// Sends an upgrade request (Connection: Upgrade, Upgrade: tcp, as the CLI does) with <paramref name="json"/>
    /// as its body; <paramref name="halfCloseAt"/> says when the client sends its FIN: right after the
    /// request, or after the response head. Returns the response head and every byte after it until the daemon closes.
    /// </summary>
    public static async Task<(string Head, byte[] Stream)> HijackAsync(string socketPath, string path, string json, HalfClose halfCloseAt, byte[]? stdin = null)
    {
        using var socket = await ConnectAsync(socketPath);
        await SendAsync(socket, Head("POST", path, json, upgrade: true) + json);
        if (stdin is not null)
        {
            await socket.SendAsync(stdin, SocketFlags.None);
        }
        if (halfCloseAt == HalfClose.AfterRequest)
        {
            socket.Shutdown(SocketShutdown.Send);
        }
        var received = new List<byte>();
        var buffer = new byte[8192];
        var halfClosed = halfCloseAt == HalfClose.AfterRequest;
        while (true)
        {
            var n = await socket.ReceiveAsync(buffer, SocketFlags.None);
            if (n == 0)
            {
                break;
            }
            received.AddRange(buffer.AsSpan(0, n));
            if (!halfClosed && IndexOfHeadEnd(received) >= 0)
            {
                socket.Shutdown(SocketShutdown.Send);
                halfClosed = true;
            }
        }
        var (head, rest) = SplitHead([.. received]);
        return (head, rest);
    }

    /// <summary>The payloads of a multiplexed stream (8-byte headers: stream, 0, 0, 0, big-endian length).</summary>
    public static (string Stdout, string Stderr) Demultiplex(byte[] stream)
    {
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var at = 0;
        while (at + 8 <= stream.Length)
        {
            var kind = stream[at];
            var length = (stream[at + 4] << 24) | (stream[at + 5] << 16) | (stream[at + 6] << 8) | stream[at + 7];
            if (kind is not (1 or 2) || stream[at + 1] != 0 || stream[at + 2] != 0 || stream[at + 3] != 0 || at + 8 + length > stream.Length)
            {
                throw new InvalidDataException($"bad multiplexed frame at byte {at}: {Convert.ToHexString(stream.AsSpan(at, Math.Min(16, stream.Length - at)))}");
            }
            (kind == 1 ? stdout : stderr).Append(Encoding.UTF8.GetString(stream, at + 8, length));
            at += 8 + length;
        }
        if (at != stream.Length)
        {
            throw new InvalidDataException($"{stream.Length - at} bytes after the last whole frame");
        }
        return (stdout.ToString(), stderr.ToString());
    }

    public static int StatusOf(string head) => int.Parse(head.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);

    private static string Head(string method, string path, string? json, bool upgrade)
    {
        var head = new StringBuilder($"{method} {path} HTTP/1.1\r\nHost: api\r\nUser-Agent: netstack-test\r\n");
        head.Append(upgrade ? "Connection: Upgrade\r\nUpgrade: tcp\r\n" : "Connection: close\r\n");
        if (json is not null)
        {
            head.Append($"Content-Type: application/json\r\nContent-Length: {Encoding.UTF8.GetByteCount(json)}\r\n");
        }
        else if (method == "POST")
        {
            head.Append("Content-Length: 0\r\n");
        }
        return head.Append("\r\n").ToString();
    }

    private static async Task<Socket> ConnectAsync(string socketPath)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath));
        return socket;
    }

    private static async Task SendAsync(Socket socket, string text) =>
        await socket.SendAsync(Encoding.UTF8.GetBytes(text), SocketFlags.None);

    private static async Task<byte[]> ReadToEndAsync(Socket socket)
    {
        var received = new MemoryStream();
        var buffer = new byte[8192];
        int n;
        while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None)) > 0)
        {
            received.Write(buffer, 0, n);
        }
        return received.ToArray();
    }

    private static int IndexOfHeadEnd(List<byte> bytes)
    {
        for (var i = 0; i + 3 < bytes.Count; i++)
        {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n' && bytes[i + 2] == '\r' && bytes[i + 3] == '\n')
            {
                return i;
            }
        }
        return -1;
    }

    private static (string Head, byte[] Body) SplitHead(byte[] bytes)
    {
        var end = IndexOfHeadEnd([.. bytes]);
        if (end < 0)
        {
            throw new InvalidDataException($"no response head in {bytes.Length} bytes: \"{Encoding.UTF8.GetString(bytes)}\"");
        }
        return (Encoding.ASCII.GetString(bytes, 0, end), bytes[(end + 4)..]);
    }
}

public enum HalfClose
{
    /// <summary>FIN right after the request, before the daemon has answered (a client with no stdin to send).</summary>
    AfterRequest,

    /// <summary>FIN as soon as the response head has arrived: what the docker CLI does without -i.</summary>
    AfterResponseHead,
}
