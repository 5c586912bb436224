namespace Netstack.Api.Contracts.Upstream;

/// <summary>
/// A published port's mapping on the upstream router (netstack's own field of a container's
/// inspect, <c>NetworkSettings.UpstreamPorts</c>): where the world reaches it, and how it stands.
/// </summary>
public sealed class UpstreamPortBinding
{
    /// <summary>The host port the router forwards to.</summary>
    public int HostPort { get; set; }

    /// <summary><c>pending</c>, <c>mapped</c> or <c>failed</c>.</summary>
    public string State { get; set; } = "";

    /// <summary><c>upnp</c>, <c>natpmp</c> or <c>pcp</c>; empty until mapped.</summary>
    public string Protocol { get; set; } = "";

    /// <summary>The router's external address; empty when not mapped (or the router did not tell).</summary>
    public string ExternalIp { get; set; } = "";

    /// <summary>The external port; 0 when not mapped.</summary>
    public int ExternalPort { get; set; }

    /// <summary>RFC 3339 end of the lease; empty for a permanent one.</summary>
    public string LeaseEnds { get; set; } = "";

    public int Renewals { get; set; }

    /// <summary>Times the router had forgotten it and it was made again.</summary>
    public int Recreated { get; set; }

    /// <summary>Why it is not mapped, when it is not.</summary>
    public string Error { get; set; } = "";
}
