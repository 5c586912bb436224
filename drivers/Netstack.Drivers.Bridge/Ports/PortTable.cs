using System.Net;
using Netstack.Core;

namespace Netstack.Drivers.Bridge;

/// <summary>
/// The host ports published by the driver: (protocol, host IP, host port) owned by an endpoint. Two
/// bindings clash when protocol and port are equal and their host IPs overlap (equal, or either is
/// 0.0.0.0, which means every address). Host port 0 picks a free port of the ephemeral range.
/// Not thread-safe: the driver calls it under its lock.
/// </summary>
internal sealed class PortTable
{
    private readonly List<(PortProtocol Protocol, IPAddress HostIp, int HostPort, string EndpointId)> _entries = [];

    public int Count => _entries.Count;

    /// <summary>
    /// Resolves host ports for <paramref name="bindings"/> (0 = pick) and checks them against the
    /// ports of other endpoints and against each other. Nothing is recorded: <see cref="Add"/> does.
    /// </summary>
    public IReadOnlyList<PortBinding> Resolve(string endpointId, IReadOnlyList<PortBinding> bindings, IPAddress defaultHostIp, (int First, int Last) ephemeral, Func<PortProtocol, int, bool> inUseOnHost)
    {
        var resolved = new List<PortBinding>();
        var taken = _entries.Where(e => e.EndpointId != endpointId).Select(e => (e.Protocol, e.HostIp, e.HostPort)).ToList();
        foreach (var binding in bindings)
        {
            var hostIp = binding.HostIp ?? defaultHostIp;
            var port = binding.HostPort;
            if (port == 0)
            {
                port = PickFree(binding.Protocol, hostIp, ephemeral, taken, inUseOnHost);
            }
            else if (Clash(taken, binding.Protocol, hostIp, port) is { } clash)
            {
                throw new ConflictException(
                    $"host port {port}/{binding.Protocol.ToString().ToLowerInvariant()} on {hostIp} is already published (binding {clash.HostIp}:{port}); choose another host port");
            }
            var result = binding with { HostIp = hostIp, HostPort = port };
            taken.Add((binding.Protocol, hostIp, port));
            resolved.Add(result);
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

    private static bool Overlaps(IPAddress a, IPAddress b) =>
        a.Equals(IPAddress.Any) || b.Equals(IPAddress.Any) || a.Equals(b);

    private static int PickFree(PortProtocol protocol, IPAddress hostIp, (int First, int Last) range,
        List<(PortProtocol Protocol, IPAddress HostIp, int HostPort)> taken, Func<PortProtocol, int, bool> inUseOnHost)
    {
        for (var port = range.First; port <= range.Last; port++)
        {
            if (Clash(taken, protocol, hostIp, port) is null && !inUseOnHost(protocol, port))
            {
                return port;
            }
        }
        throw new UnavailableException($"no free host port for {protocol.ToString().ToLowerInvariant()} on {hostIp} in {range.First}-{range.Last}");
    }
}
