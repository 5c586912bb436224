using System.Net;
using System.Net.Sockets;

namespace Netstack.Dns.Server;

/// <summary>
/// Opens the resolver's UDP and TCP sockets in the calling thread's network namespace (run it on
/// a thread inside the sandbox's namespace; the sockets stay bound to that namespace afterwards).
/// </summary>
public static class DnsListenSockets
{
    // Room for bursts: the kernel caps this at net.core.rmem_max; queries lost to a full buffer are
    // what dnsperf reports as loss.
    private const int UdpReceiveBuffer = 4 * 1024 * 1024;

    // Pending connections the kernel keeps before accept (listen(2) backlog).
    private const int TcpBacklog = 128;

    /// <summary>Binds UDP and TCP on <paramref name="address"/>; port 0 picks a free port for each.</summary>
    public static (Socket Udp, Socket Tcp) Open(IPAddress address, int udpPort, int tcpPort)
    {
        ArgumentNullException.ThrowIfNull(address);
        var udp = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        Socket? tcp = null;
        try
        {
            udp.ReceiveBufferSize = UdpReceiveBuffer;
            udp.Bind(new IPEndPoint(address, udpPort));
            tcp = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            tcp.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            tcp.Bind(new IPEndPoint(address, tcpPort));
            tcp.Listen(TcpBacklog);
            return (udp, tcp);
        }
        catch
        {
            udp.Dispose();
            tcp?.Dispose();
            throw;
        }
    }
}
