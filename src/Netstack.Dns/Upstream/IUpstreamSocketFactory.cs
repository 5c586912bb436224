using System.Net;
using System.Net.Sockets;

namespace Netstack.Dns.Upstream;

/// <summary>
/// Opens the socket a forwarded query leaves from. Docker sends them from inside the container's
/// network namespace (so they follow its routes and firewall), except to servers on the host's
/// loopback, which only the host namespace can reach; the controller implements that choice.
/// </summary>
public interface IUpstreamSocketFactory
{
    Socket Create(IPEndPoint server, SocketType socketType, ProtocolType protocol);
}

/// <summary>Opens sockets in the caller's own network namespace.</summary>
public sealed class CurrentNamespaceSocketFactory : IUpstreamSocketFactory
{
    public static CurrentNamespaceSocketFactory Instance { get; } = new();

    public Socket Create(IPEndPoint server, SocketType socketType, ProtocolType protocol)
    {
        ArgumentNullException.ThrowIfNull(server);
        return new Socket(server.AddressFamily, socketType, protocol);
    }
}
