using System.Net;
using System.Net.Sockets;
using Netstack.Core;

namespace Netstack.Drivers.Bridge;

/// <summary>
/// Which host addresses a binding may name, per family, and what a binding without one means.
/// Docker 27+ with ip6tables: no host IP and the default binding address 0.0.0.0 means 0.0.0.0 and
/// [::] with one host port, the IPv6 one only when the endpoint has an IPv6 address; an explicit
/// address publishes in its family only.
/// </summary>
internal static class HostIpPolicy
{
    /// <summary>
    /// The binding with an IPv4-mapped host IP unmapped, or an <see cref="InvalidParameterException"/>
    /// naming the host IP when it cannot be published on this network and endpoint.
    /// </summary>
    public static PortBinding Check(PortBinding binding, BridgeNetworkConfig config, BridgeEndpoint endpoint)
    {
        if (binding.HostIp is not { } ip)
        {
            if (config.HostBindingIPv4.AddressFamily == AddressFamily.InterNetworkV6)
            {
                return endpoint.IPv6Address is null
                    ? throw new InvalidParameterException("endpoint address", null,
                        $"endpoint {endpoint.EndpointId} has no IPv6 address, and the network publishes ports without a host IP on [{config.HostBindingIPv4}] ({DockerOptions.BridgeHostBindingIPv4})")
                    : binding;
            }
            return endpoint.Address is null
                ? throw new InvalidParameterException("endpoint address", null, $"endpoint {endpoint.EndpointId} has no IPv4 address to publish ports to")
                : binding;
        }
        if (ip.IsIPv4MappedToIPv6)
        {
            ip = ip.MapToIPv4();
            binding = binding with { HostIp = ip };
        }
        var text = ip.ToString();
        if (ip.AddressFamily == AddressFamily.InterNetwork)
        {
            return endpoint.Address is null
                ? throw new InvalidParameterException("host IP", text, $"endpoint {endpoint.EndpointId} has no IPv4 address to publish ports to")
                : binding;
        }
        if (ip.AddressFamily != AddressFamily.InterNetworkV6)
        {
            throw new InvalidParameterException("host IP", text, "must be an IPv4 or IPv6 address");
        }
        if (ip.Equals(IPAddress.IPv6Loopback))
        {
            throw new InvalidParameterException("host IP", text,
                "IPv6 has no route_localnet: the kernel never routes a packet from ::1 out of the loopback device, so no DNAT rule can take [::1] to a container. "
                + "Docker serves [::1] with its userland docker-proxy, which netstack does not run. Publish on [::] or a host IPv6 address, or on 127.0.0.1");
        }
        if (ip.IsIPv6LinkLocal)
        {
            throw new InvalidParameterException("host IP", text, "is link-local (fe80::/10): the kernel does not forward link-local traffic to another link; publish on [::] or a global host IPv6 address");
        }
        if (ip.IsIPv6Multicast)
        {
            throw new InvalidParameterException("host IP", text, "is a multicast address; publish on [::] or a unicast host IPv6 address");
        }
        if (!config.EnableIPv6)
        {
            throw new InvalidParameterException("host IP", text, $"network {config.NetworkId} has no IPv6 (create it with --ipv6 and an IPv6 subnet) so nothing can be published on an IPv6 host address");
        }
        if (endpoint.IPv6Address is null)
        {
            throw new InvalidParameterException("host IP", text, $"endpoint {endpoint.EndpointId} has no IPv6 address to publish [{text}] to");
        }
        return binding;
    }

    /// <summary>
    /// The IPv6 twin of a binding without host IP (<c>::</c>), or null when there is none: the default
    /// binding address is not 0.0.0.0 (then it names one IPv4 address), or the endpoint has no IPv6.
    /// </summary>
    public static IPAddress? DefaultV6(BridgeNetworkConfig config, BridgeEndpoint endpoint) =>
        config.EnableIPv6 && endpoint.IPv6Address is not null && config.HostBindingIPv4.Equals(IPAddress.Any) ? IPAddress.IPv6Any : null;
}
