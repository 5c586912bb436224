using System.Net;

namespace Netstack.Upstream.Mapping;

/// <summary>A published port to map: the host port traffic from the router must reach.</summary>
public sealed record PublishedPort(MappingTransport Transport, int ContainerPort, int HostPort);

public enum MappingState
{
    /// <summary>Not mapped yet (waiting for the router, or for a retry).</summary>
    Pending,

    Mapped,

    /// <summary>The router refused or the port is taken: see the error; retried later.</summary>
    Failed,
}

/// <summary>One mapping as the API shows it.</summary>
public sealed record MappingView
{
    public required string OwnerId { get; init; }

    public required string OwnerName { get; init; }

    public required MappingTransport Transport { get; init; }

    public required int ContainerPort { get; init; }

    /// <summary>The host port the router forwards to.</summary>
    public required int InternalPort { get; init; }

    public required MappingState State { get; init; }

    public UpstreamProtocol? Protocol { get; init; }

    public int? ExternalPort { get; init; }

    public IPAddress? ExternalAddress { get; init; }

    public DateTimeOffset? LeaseEnds { get; init; }

    public string? Error { get; init; }

    /// <summary>Renewals done since the mapping was made.</summary>
    public int Renewals { get; init; }

    /// <summary>Times the router had forgotten it (epoch reset, missing UPnP entry) and it was made again.</summary>
    public int Recreated { get; init; }
}

/// <summary>The mapper as <c>netstack debug upstream</c> shows it.</summary>
public sealed record MapperStatus
{
    public required UpstreamMode Mode { get; init; }

    /// <summary><c>off</c>, <c>idle</c> (nothing asked yet), <c>ready</c>, or <c>no-router</c>.</summary>
    public required string State { get; init; }

    public IPAddress? Gateway { get; init; }

    public IPAddress? LocalAddress { get; init; }

    public UpstreamProtocol? Protocol { get; init; }

    /// <summary>Where the UPnP device's control URL is, when the protocol is UPnP.</summary>
    public string? ControlUrl { get; init; }

    public IPAddress? ExternalAddress { get; init; }

    public string? Error { get; init; }

    /// <summary>What each protocol answered in the last discovery.</summary>
    public IReadOnlyList<string> Attempts { get; init; } = [];

    public IReadOnlyList<MappingView> Mappings { get; init; } = [];

    /// <summary>Mappings left by an earlier daemon still to be removed.</summary>
    public int Leftovers { get; init; }
}
