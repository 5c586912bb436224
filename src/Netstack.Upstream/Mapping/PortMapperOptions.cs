namespace Netstack.Upstream.Mapping;

/// <summary><c>--upstream-portmap</c>: which protocol to use, or none.</summary>
public enum UpstreamMode
{
    Off,
    Auto,
    Upnp,
    NatPmp,
    Pcp,
}

/// <summary>What to do when the external port is taken on the router.</summary>
public enum ConflictPolicy
{
    /// <summary>Take the next free external port (UPnP: the next one up; NAT-PMP/PCP: the one the router offers).</summary>
    Next,

    /// <summary>Leave the port unmapped and say so.</summary>
    Fail,
}

public sealed record PortMapperOptions
{
    public UpstreamMode Mode { get; init; } = UpstreamMode.Off;

    /// <summary>The lease asked for; mappings are renewed at half of what the router grants.</summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromHours(1);

    public ConflictPolicy Conflict { get; init; } = ConflictPolicy.Next;

    /// <summary>Where the mappings made are remembered, so a restarted daemon removes what a killed one left.</summary>
    public string? StateFile { get; init; }

    public UpstreamTimeouts Timeouts { get; init; } = new();

    /// <summary>First wait after a failed attempt, doubled up to <see cref="RetryMax"/>.</summary>
    public TimeSpan RetryMin { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan RetryMax { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long after a failed discovery it is tried again (only while something waits to be mapped).</summary>
    public TimeSpan RediscoverAfter { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>External ports tried upwards on a UPnP conflict before giving up.</summary>
    public int ConflictTries { get; init; } = 16;

    /// <summary>The order <see cref="UpstreamMode.Auto"/> and the single-protocol modes ask in.</summary>
    public IReadOnlyList<UpstreamProtocol> Order => Mode switch
    {
        UpstreamMode.Upnp => [UpstreamProtocol.Upnp],
        UpstreamMode.NatPmp => [UpstreamProtocol.NatPmp],
        UpstreamMode.Pcp => [UpstreamProtocol.Pcp],
        UpstreamMode.Auto => [UpstreamProtocol.Pcp, UpstreamProtocol.NatPmp, UpstreamProtocol.Upnp],
        _ => [],
    };

    public static UpstreamMode? ParseMode(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        "off" or "" or null => UpstreamMode.Off,
        "auto" => UpstreamMode.Auto,
        "upnp" => UpstreamMode.Upnp,
        "natpmp" or "nat-pmp" => UpstreamMode.NatPmp,
        "pcp" => UpstreamMode.Pcp,
        _ => null,
    };

    public static ConflictPolicy? ParseConflict(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        "next" or "" or null => ConflictPolicy.Next,
        "fail" => ConflictPolicy.Fail,
        _ => null,
    };

    public static string Name(UpstreamMode mode) => mode switch
    {
        UpstreamMode.Off => "off",
        UpstreamMode.Auto => "auto",
        UpstreamMode.Upnp => "upnp",
        UpstreamMode.NatPmp => "natpmp",
        _ => "pcp",
    };
}
