namespace Netstack.Api.Contracts.Upstream;

/// <summary>netstack's own <c>GET /upstream</c>: the upstream router, its protocol, and the live mappings.</summary>
public sealed class UpstreamStatus
{
    /// <summary><c>off</c>, <c>auto</c>, <c>upnp</c>, <c>natpmp</c> or <c>pcp</c> (<c>--upstream-portmap</c>).</summary>
    public string Mode { get; set; } = "off";

    /// <summary><c>off</c>, <c>idle</c> (not asked yet), <c>ready</c> or <c>no-router</c>.</summary>
    public string State { get; set; } = "off";

    public string Gateway { get; set; } = "";

    public string LocalAddress { get; set; } = "";

    public string Protocol { get; set; } = "";

    public string ControlUrl { get; set; } = "";

    public string ExternalAddress { get; set; } = "";

    public string Error { get; set; } = "";

    /// <summary>What each protocol answered in the last discovery.</summary>
    public List<string> Attempts { get; set; } = [];

    /// <summary>Mappings left by an earlier daemon and not removed yet.</summary>
    public int Leftovers { get; set; }

    public List<UpstreamMapping> Mappings { get; set; } = [];
}

/// <summary>One mapping of <see cref="UpstreamStatus"/>: whose, which port, and its binding.</summary>
public sealed class UpstreamMapping
{
    public string ContainerId { get; set; } = "";

    public string ContainerName { get; set; } = "";

    /// <summary><c>PORT/PROTO</c> inside the container.</summary>
    public string Port { get; set; } = "";

    public UpstreamPortBinding Binding { get; set; } = new();
}
