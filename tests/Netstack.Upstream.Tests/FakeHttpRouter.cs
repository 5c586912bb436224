using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Netstack.Upstream.Tests;

/// <summary>
/// An HTTP "IGD" on loopback: reads one request per connection and writes what the handler returns
/// (raw bytes, so tests can send oversized, truncated or silent answers). Null from the handler:
/// keep the connection open and say nothing.
/// </summary>
internal sealed class FakeHttpRouter : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _held = [];

    public FakeHttpRouter(Func<string, byte[]?> handler)
    {
        _listener.Start();
        _ = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync(_stop.Token);
                }
                catch (Exception)
                {
                    return;
                }
                _ = Task.Run(async () =>
                {
                    var stream = client.GetStream();
                    var request = await ReadRequestAsync(stream);
                    lock (Requests)
                    {
                        Requests.Add(request);
                    }
                    var answer = handler(request);
                    if (answer is null)
                    {
                        lock (_held)
                        {
                            _held.Add(client);
                        }
                        return;
                    }
                    try
                    {
                        await stream.WriteAsync(answer);
                    }
                    catch (IOException)
                    {
                        // The client gave up reading (oversized answers).
                    }
                    client.Dispose();
                });
            }
        });
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public Uri Url(string path) => new($"http://127.0.0.1:{Port}{path}");

    public List<string> Requests { get; } = [];

    public static byte[] Ok(string body, int status = 200) =>
        Encoding.UTF8.GetBytes($"HTTP/1.1 {status} {(status == 200 ? "OK" : "Internal Server Error")}\r\nContent-Type: text/xml\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\nConnection: close\r\n\r\n{body}");

    private static async Task<string> ReadRequestAsync(NetworkStream stream)
    {
        var buffer = new byte[65536];
        var total = 0;
        while (total < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(total));
            if (read == 0)
            {
                break;
            }
            total += read;
            var text = Encoding.UTF8.GetString(buffer, 0, total);
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end >= 0)
            {
                var lengthLine = text[..end].Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
                var length = lengthLine is null ? 0 : int.Parse(lengthLine["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
                if (total >= end + 4 + length)
                {
                    return text;
                }
            }
        }
        return Encoding.UTF8.GetString(buffer, 0, total);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        lock (_held)
        {
            foreach (var c in _held)
            {
                c.Dispose();
            }
        }
        _stop.Dispose();
    }
}
