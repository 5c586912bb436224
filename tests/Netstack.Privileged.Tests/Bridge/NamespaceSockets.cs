using System.Net;
using System.Net.Sockets;
using System.Text;
using Netstack.Linux;

namespace Netstack.Privileged.Tests.Bridge;

/// <summary>
/// TCP and UDP servers and clients inside test namespaces. A socket belongs to the namespace of the
/// thread that created it, so each is created inside <see cref="NetworkNamespace.Run{T}"/> and used
/// from any thread afterwards. Servers answer with the address they saw the client come from, which
/// is how the tests observe NAT.
/// </summary>
internal static class NamespaceSockets
{
    /// <summary>How long a client waits for an answer before reporting none; generous for a busy CI host.</summary>
    public static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(3);

    public const string Greeting = "hello from ";

    /// <summary>
    /// A TCP server on 0.0.0.0:<paramref name="port"/> answering "hello from NAME to CLIENT-IP"; with
    /// <paramref name="dualStack"/> on [::]:<paramref name="port"/> for IPv6 and IPv4 clients alike
    /// (IPv4 clients are reported as IPv4 addresses, not ::ffff:a.b.c.d).
    /// </summary>
    public static IDisposable TcpServer(NetworkNamespace ns, int port, string name, bool dualStack = false)
    {
        var listener = ns.Run(() => dualStack
            ? new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp) { DualMode = true }
            : new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
        listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Bind(new IPEndPoint(dualStack ? IPAddress.IPv6Any : IPAddress.Any, port));
        listener.Listen(16);
        var cts = new CancellationTokenSource();
        _ = Task.Run(async () =>
        {
            while (!cts.IsCancellationRequested)
            {
                Socket client;
                try
                {
                    client = await listener.AcceptAsync(cts.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    return;
                }
                using (client)
                {
                    var peer = Unmapped(((IPEndPoint)client.RemoteEndPoint!).Address);
                    await client.SendAsync(Encoding.ASCII.GetBytes($"{Greeting}{name} to {peer}\n"));
                    client.Shutdown(SocketShutdown.Both);
                }
            }
        });
        return new Server(listener, cts);
    }

    /// <summary>A UDP server on 0.0.0.0:<paramref name="port"/> (dual stack: [::]) answering every datagram the same way.</summary>
    public static IDisposable UdpServer(NetworkNamespace ns, int port, string name, bool dualStack = false)
    {
        var socket = ns.Run(() => dualStack
            ? new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp) { DualMode = true }
            : new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp));
        var any = dualStack ? IPAddress.IPv6Any : IPAddress.Any;
        socket.Bind(new IPEndPoint(any, port));
        var cts = new CancellationTokenSource();
        _ = Task.Run(async () =>
        {
            var buffer = new byte[1500];
            while (!cts.IsCancellationRequested)
            {
                try
                {
                    var result = await socket.ReceiveFromAsync(buffer, new IPEndPoint(any, 0), cts.Token);
                    var peer = (IPEndPoint)result.RemoteEndPoint;
                    await socket.SendToAsync(Encoding.ASCII.GetBytes($"{Greeting}{name} to {Unmapped(peer.Address)}\n"), peer);
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    return;
                }
            }
        });
        return new Server(socket, cts);
    }

    /// <summary>
    /// Connects from <paramref name="ns"/> and returns the server's answer, or null when none came in
    /// any of <paramref name="attempts"/> tries (a loaded CI host can lose a first SYN to a bridge
    /// port that is still coming up; tests expecting silence ask once).
    /// </summary>
    public static async Task<string?> TcpAsk(NetworkNamespace ns, IPAddress address, int port, int attempts = 3)
    {
        for (var i = 0; i < attempts; i++)
        {
            if (await TcpAskOnce(ns, address, port) is { } answer)
            {
                return answer;
            }
        }
        return null;
    }

    /// <summary>Like <see cref="TcpAsk"/> for one datagram and its answer.</summary>
    public static async Task<string?> UdpAsk(NetworkNamespace ns, IPAddress address, int port, int attempts = 3)
    {
        for (var i = 0; i < attempts; i++)
        {
            if (await UdpAskOnce(ns, address, port) is { } answer)
            {
                return answer;
            }
        }
        return null;
    }

    private static async Task<string?> TcpAskOnce(NetworkNamespace ns, IPAddress address, int port)
    {
        using var socket = ns.Run(() => new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp));
        using var cts = new CancellationTokenSource(ClientTimeout);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(address, port), cts.Token);
            var buffer = new byte[256];
            var total = 0;
            while (true)
            {
                var n = await socket.ReceiveAsync(buffer.AsMemory(total), SocketFlags.None, cts.Token);
                if (n == 0)
                {
                    break;
                }
                total += n;
            }
            return Encoding.ASCII.GetString(buffer, 0, total).Trim();
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException)
        {
            return null;
        }
    }

    private static async Task<string?> UdpAskOnce(NetworkNamespace ns, IPAddress address, int port)
    {
        using var socket = ns.Run(() => new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp));
        using var cts = new CancellationTokenSource(ClientTimeout);
        try
        {
            socket.Connect(new IPEndPoint(address, port));
            await socket.SendAsync(Encoding.ASCII.GetBytes("ping"), SocketFlags.None, cts.Token);
            var buffer = new byte[256];
            var n = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
            return Encoding.ASCII.GetString(buffer, 0, n).Trim();
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException)
        {
            return null;
        }
    }

    private static IPAddress Unmapped(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private sealed class Server(Socket socket, CancellationTokenSource cts) : IDisposable
    {
        public void Dispose()
        {
            cts.Cancel();
            socket.Dispose();
            cts.Dispose();
        }
    }
}
