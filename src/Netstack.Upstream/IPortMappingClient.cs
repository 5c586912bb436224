using System.Net;

namespace Netstack.Upstream;

/// <summary>What to map: a port of this host, reachable from outside the router on an external port.</summary>
public sealed record MappingRequest
{
    public required MappingTransport Transport { get; init; }

    /// <summary>The port on this host (the published host port), 1..65535.</summary>
    public required int InternalPort { get; init; }

    /// <summary>The external port wanted; the router may give another (NAT-PMP, PCP) or refuse (UPnP).</summary>
    public required int ExternalPort { get; init; }

    /// <summary>Lease asked for; routers may shorten it (and UPnP ones may only do permanent leases).</summary>
    public required TimeSpan Lifetime { get; init; }

    /// <summary>A text the router keeps with the mapping (UPnP only): names netstack and the container, so leftovers can be found.</summary>
    public string Description { get; init; } = "netstack";

    /// <summary>PCP's mapping nonce (12 bytes): the same nonce renews or deletes the same mapping. Empty for the other protocols.</summary>
    public ReadOnlyMemory<byte> Nonce { get; init; }
}

/// <summary>A mapping as the router granted it.</summary>
public sealed record GrantedMapping
{
    public required MappingTransport Transport { get; init; }

    public required int InternalPort { get; init; }

    public required int ExternalPort { get; init; }

    /// <summary>The router's external address, when the protocol tells it with the mapping (PCP) or it was asked (UPnP, NAT-PMP).</summary>
    public IPAddress? ExternalAddress { get; init; }

    /// <summary>The lease granted; <see cref="TimeSpan.Zero"/> for a permanent one (UPnP routers that do only those).</summary>
    public required TimeSpan Lifetime { get; init; }

    /// <summary>
    /// True when the router's epoch says it lost its state since the previous answer (a reboot, RFC
    /// 6886 section 3.6, RFC 6887 section 8.5): every other mapping must be made again now.
    /// </summary>
    public bool RouterLostState { get; init; }
}

/// <summary>
/// One protocol's client towards one router. Every call is bounded in time (retransmissions with a
/// limit, HTTP time-outs) and in size (answers beyond the protocol's maximum are refused), so a
/// broken or hostile router costs a clear <see cref="PortMappingException"/>, never a hang.
/// </summary>
public interface IPortMappingClient : IDisposable
{
    UpstreamProtocol Protocol { get; }

    /// <summary>The router's address as this client talks to it (the gateway, or the UPnP device's host).</summary>
    IPAddress Router { get; }

    /// <summary>The address of this host the router sees (the internal client of every mapping).</summary>
    IPAddress LocalAddress { get; }

    Task<IPAddress> GetExternalAddressAsync(CancellationToken cancellationToken);

    /// <summary>Creates or renews a mapping.</summary>
    /// <exception cref="PortMappingException">The router refused, did not answer in time, or answered nonsense.</exception>
    Task<GrantedMapping> MapAsync(MappingRequest request, CancellationToken cancellationToken);

    /// <summary>Deletes a mapping; one the router does not have is success.</summary>
    Task UnmapAsync(MappingRequest request, int externalPort, CancellationToken cancellationToken);
}
