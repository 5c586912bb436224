using System.Net.Sockets;
using System.Text;

namespace Netstack.Api.Tests.Transport;

/// <summary>
/// A unix-socket server that answers each connection with canned bytes after reading the request
/// (head, then a Content-Length or chunked body), and keeps what it read, so client tests can check
/// both directions on a real socket without a daemon.
/// </summary>
internal sealed class CannedServer : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly string _directory;
    private readonly Task _loop;
    private readonly CancellationTokenSource _stop = new();
    private readonly Queue<byte[]> _answers;
    private readonly bool _holdOpen;
    private readonly TaskCompletionSource _answered = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Answers one connection with <paramref name="answer"/>; with <paramref name="holdOpen"/> the connection then stays open (a stream that goes quiet) until the server is disposed.</summary>
    public CannedServer(string answer, bool holdOpen)
        : this([answer])
    {
        _holdOpen = holdOpen;
    }

    public CannedServer(params string[] answers)
    {
        _answers = new Queue<byte[]>(answers.Select(Encoding.Latin1.GetBytes));
        _directory = Path.Combine(Path.GetTempPath(), "nst-canned-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(_directory);
        SocketPath = Path.Combine(_directory, "s.sock");
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(SocketPath));
        _listener.Listen(8);
        _loop = Task.Run(ServeAsync);
    }

    public string SocketPath { get; }

    public string Uri => "unix://" + SocketPath;

    /// <summary>Completes once the first answer has been sent.</summary>
    public Task AnsweredAsync() => _answered.Task;

    /// <summary>The requests received, as text (head and body).</summary>
    public List<string> Requests { get; } = [];

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            using (connection)
            {
                var request = await ReadRequestAsync(connection);
                lock (Requests)
                {
                    Requests.Add(request);
                }
                if (_answers.TryDequeue(out var answer))
                {
                    await connection.SendAsync(answer);
                }
                _answered.TrySetResult();
                if (_holdOpen)
                {
                    await Task.Delay(Timeout.Infinite, _stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                }
                connection.Shutdown(SocketShutdown.Both);
            }
        }
    }

    private static async Task<string> ReadRequestAsync(Socket connection)
    {
        var received = new MemoryStream();
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var text = Encoding.Latin1.GetString(received.ToArray());
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end >= 0)
            {
                var head = text[..end];
                var body = text[(end + 4)..];
                var length = head.Split("\r\n").Select(l => l.Split(": ", 2)).Where(p => p[0] == "Content-Length").Select(p => int.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault();
                var chunked = head.Contains("Transfer-Encoding: chunked", StringComparison.Ordinal);
                if ((!chunked && body.Length >= length) || (chunked && body.EndsWith("0\r\n\r\n", StringComparison.Ordinal)))
                {
                    return text;
                }
            }
            var n = await connection.ReceiveAsync(buffer);
            if (n == 0)
            {
                return Encoding.Latin1.GetString(received.ToArray());
            }
            received.Write(buffer, 0, n);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        try
        {
            await _loop;
        }
        catch (SocketException)
        {
            // The listener closed under a pending accept: the loop is over either way.
        }
        _stop.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
