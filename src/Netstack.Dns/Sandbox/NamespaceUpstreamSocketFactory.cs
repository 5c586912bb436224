using System.Net;
using System.Net.Sockets;
using Netstack.Dns.Upstream;
using Netstack.Linux;

namespace Netstack.Dns.Sandbox;

/// <summary>
/// Opens forwarding sockets inside the sandbox's namespace, so queries leave through the
/// container's own interfaces, routes and firewall, as Docker's do. A server on loopback is only
/// reachable from the daemon's namespace (the host's 127.0.0.53, say), so those sockets are opened
/// where the daemon runs, as Docker does for "host loopback" servers.
/// </summary>
public sealed class NamespaceUpstreamSocketFactory(NetworkNamespace sandbox) : IUpstreamSocketFactory
{
    public Socket Create(IPEndPoint server, SocketType socketType, ProtocolType protocol)
    {
        ArgumentNullException.ThrowIfNull(server);
        if (IPAddress.IsLoopback(server.Address))
        {
            return new Socket(server.AddressFamily, socketType, protocol);
        }

        return sandbox.Run(() => new Socket(server.AddressFamily, socketType, protocol));
    }
}
