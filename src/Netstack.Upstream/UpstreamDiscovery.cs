using System.Net;
using System.Net.Sockets;
using Netstack.Upstream.NatPmp;
using Netstack.Upstream.Pcp;
using Netstack.Upstream.Udp;
using Netstack.Upstream.Upnp;

namespace Netstack.Upstream;

/// <summary>Time and size bounds of discovery and of every client it makes.</summary>
public sealed record UpstreamTimeouts
{
    public RetryPolicy Udp { get; init; } = RetryPolicy.Default;

    /// <summary>How long SSDP answers are collected.</summary>
    public TimeSpan SsdpWait { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>One HTTP exchange with an IGD (description or SOAP action).</summary>
    public TimeSpan Http { get; init; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// Finds the router's port-mapping protocol. <c>auto</c> asks PCP first (ANNOUNCE: nothing is
/// created), then NAT-PMP (the external address), both to the gateway's port 5351, then UPnP by
/// SSDP on the LAN: the newer protocols answer in one round trip and are tied to the gateway, UPnP
/// needs a multicast search and two HTTP exchanges. Each failure is kept for the report.
/// </summary>
public static class UpstreamDiscovery
{
    public sealed record Result(IPortMappingClient? Client, IReadOnlyList<string> Attempts);

    /// <summary>The address of this host that traffic to <paramref name="gateway"/> leaves from (no packet is sent: a UDP connect only picks the route).</summary>
    public static IPAddress LocalAddressTowards(IPAddress gateway)
    {
        ArgumentNullException.ThrowIfNull(gateway);
        using var socket = new Socket(gateway.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        socket.Connect(new IPEndPoint(gateway, NatPmpMessages.Port));
        return ((IPEndPoint)socket.LocalEndPoint!).Address;
    }

    public static async Task<Result> DiscoverAsync(IReadOnlyList<UpstreamProtocol> order, IPAddress gateway, IPAddress localAddress, UpstreamTimeouts timeouts, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(timeouts);
        var attempts = new List<string>();
        foreach (var protocol in order)
        {
            try
            {
                switch (protocol)
                {
                    case UpstreamProtocol.Pcp:
                        var pcp = new PcpClient(gateway, localAddress, timeouts.Udp, time);
                        await pcp.AnnounceAsync(cancellationToken).ConfigureAwait(false);
                        return new Result(pcp, attempts);
                    case UpstreamProtocol.NatPmp:
                        var natpmp = new NatPmpClient(gateway, localAddress, timeouts.Udp, time);
                        await natpmp.GetExternalAddressAsync(cancellationToken).ConfigureAwait(false);
                        return new Result(natpmp, attempts);
                    case UpstreamProtocol.Upnp:
                        var upnp = await UpnpClient.DiscoverAsync(localAddress, gateway, timeouts.SsdpWait, timeouts.Http, cancellationToken).ConfigureAwait(false);
                        if (upnp is not null)
                        {
                            return new Result(upnp, attempts);
                        }
                        attempts.Add($"upnp: no Internet Gateway Device answered the SSDP search from {localAddress} within {timeouts.SsdpWait.TotalSeconds:0.##} s");
                        break;
                }
            }
            catch (PortMappingException e)
            {
                attempts.Add(e.Message);
            }
            catch (SocketException e)
            {
                attempts.Add($"{UpstreamNames.Of(protocol)}: {e.Message}");
            }
        }
        return new Result(null, attempts);
    }
}
