using System.Net;
using System.Net.Sockets;

namespace Netstack.Upstream.Tests;

/// <summary>A UDP "router" on loopback that answers each request with what the test's handler returns (nothing, garbage, or the right bytes).</summary>
internal sealed class FakeUdpRouter : IDisposable
{
    private readonly UdpClient _socket = new(new IPEndPoint(IPAddress.Loopback, 0));
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public FakeUdpRouter(Func<byte[], IPEndPoint, IEnumerable<byte[]>> handler)
    {
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                UdpReceiveResult request;
                try
                {
                    request = await _socket.ReceiveAsync(_stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                lock (Requests)
                {
                    Requests.Add(request.Buffer);
                }
                foreach (var answer in handler(request.Buffer, request.RemoteEndPoint))
                {
                    await _socket.SendAsync(answer, request.RemoteEndPoint);
                }
            }
        });
    }

    public int Port => ((IPEndPoint)_socket.Client.LocalEndPoint!).Port;

    public List<byte[]> Requests { get; } = [];

    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
        _socket.Dispose();
        _stop.Dispose();
    }
}
