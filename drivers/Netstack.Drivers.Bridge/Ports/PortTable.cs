using System.Net;
using Netstack.Core;

namespace Netstack.Drivers.Bridge;

/// <summary>
/// The host ports published by the driver: (protocol, host IP, host port) owned by an endpoint. Two
/// bindings clash when protocol and port are equal and their host IPs overlap (same family, and
/// equal, or either is 0.0.0.0 or ::, which mean every address of the family). Host port 0 picks a
/// free port of the ephemeral range.
/// Not thread-safe: the driver calls it under its lock.
/// </summary>
internal sealed class PortTable
{
    private readonly List<(PortProtocol Protocol, IPAddress HostIp, int HostPort, string EndpointId)> _entries = [];

    public int Count => _entries.Count;

    /// <summary>
    /// Resolves host ports for <paramref name="bindings"/> (0 = pick) and checks them against the
    /// ports of other endpoints and against each other. A binding without host IP gets
    /// <paramref name="defaultHostIp"/>, and when that is 0.0.0.0 and <paramref name="defaultHostIpV6"/>
    /// is given, a twin on that IPv6 address with the same host port (Docker publishes 0.0.0.0 and
    /// [::] together). Nothing is recorded: <see cref="Set"/> does.
    /// </summary>
    public IReadOnlyList<PortBinding> Resolve(string endpointId, IReadOnlyList<PortBinding> bindings, IPAddress defaultHostIp, (int First, int Last) ephemeral,
        Func<PortProtocol, int, bool> inUseOnHost, IPAddress? defaultHostIpV6 = null)
    {
        var resolved = new List<PortBinding>();
        var taken = _entries.Where(e => e.EndpointId != endpointId).Select(e => (e.Protocol, e.HostIp, e.HostPort)).ToList();
        foreach (var binding in bindings)
        {
            IReadOnlyList<IPAddress> hostIps = binding.HostIp is { } ip ? [ip]
                : defaultHostIpV6 is { } v6 && defaultHostIp.Equals(IPAddress.Any) ? [defaultHostIp, v6]
                : [defaultHostIp];
            var port = binding.HostPort;
            if (port == 0)
            {
                port = PickFree(binding.Protocol, hostIps, ephemeral, taken, inUseOnHost);
            }
            else
            {
                foreach (var hostIp in hostIps)
                {
                    if (Clash(taken, binding.Protocol, hostIp, port) is { } clash)
                    {
                        throw new ConflictException(
                            $"host port {port}/{binding.Protocol.ToString().ToLowerInvariant()} on {Format(hostIp)} is already published (binding {Format(clash.HostIp)}:{port}); choose another host port");
                    }
                }
            }
            foreach (var hostIp in hostIps)
            {
                taken.Add((binding.Protocol, hostIp, port));
                resolved.Add(binding with { HostIp = hostIp, HostPort = port });
            }
        }
        return resolved;
    }

    /// <summary>Records the endpoint's bindings (replacing earlier ones of the endpoint).</summary>
    public void Set(string endpointId, IReadOnlyList<PortBinding> bindings)
    {
        Remove(endpointId);
        foreach (var b in bindings)
        {
            _entries.Add((b.Protocol, b.HostIp ?? IPAddress.Any, b.HostPort, endpointId));
        }
    }

    public void Remove(string endpointId) => _entries.RemoveAll(e => e.EndpointId == endpointId);

    public void Clear() => _entries.Clear();

    private static (PortProtocol Protocol, IPAddress HostIp, int HostPort)? Clash(
        List<(PortProtocol Protocol, IPAddress HostIp, int HostPort)> taken, PortProtocol protocol, IPAddress hostIp, int port)
    {
        foreach (var entry in taken)
        {
            if (entry.Protocol == protocol && entry.HostPort == port && Overlaps(entry.HostIp, hostIp))
            {
                return entry;
            }
        }
        return null;
    }

    /// <summary>
    /// Two host addresses overlap when they are of one family and equal, or either is that family's
    /// "every address" (0.0.0.0, ::). 0.0.0.0 and [::] are separate: the kernel keeps IPv4 and IPv6
    /// sockets (IPV6_V6ONLY) and iptables and ip6tables apart.
    /// </summary>
    private static bool Overlaps(IPAddress a, IPAddress b) =>
        a.AddressFamily == b.AddressFamily && (BridgeRules.IsAny(a) || BridgeRules.IsAny(b) || a.Equals(b));

    private static string Format(IPAddress address) =>
        address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();

    private static int PickFree(PortProtocol protocol, IReadOnlyList<IPAddress> hostIps, (int First, int Last) range,
        List<(PortProtocol Protocol, IPAddress HostIp, int HostPort)> taken, Func<PortProtocol, int, bool> inUseOnHost)
    {
        for (var port = range.First; port <= range.Last; port++)
        {
            if (hostIps.All(ip => Clash(taken, protocol, ip, port) is null) && !inUseOnHost(protocol, port))
            {
                return port;
            }
        }
        throw new UnavailableException($"no free host port for {protocol.ToString().ToLowerInvariant()} on {string.Join(" and ", hostIps.Select(Format))} in {range.First}-{range.Last}");
    }
}
