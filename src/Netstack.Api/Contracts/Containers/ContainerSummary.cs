using Netstack.Api.Contracts.Networks;

namespace Netstack.Api.Contracts.Containers;

/// <summary>One entry of <c>GET /containers/json</c>.</summary>
public sealed class ContainerSummary
{
    public string Id { get; set; } = "";

    /// <summary>Names with the engine's leading slash (<c>/web</c>).</summary>
    public List<string> Names { get; set; } = [];

    public string Image { get; set; } = "";

    public string ImageID { get; set; } = "";

    public string Command { get; set; } = "";

    /// <summary>Unix seconds.</summary>
    public long Created { get; set; }

    public List<PortSummary> Ports { get; set; } = [];

    public Dictionary<string, string> Labels { get; set; } = [];

    /// <summary><c>created</c>, <c>running</c>, <c>exited</c>, ...</summary>
    public string State { get; set; } = "";

    /// <summary>Human text, e.g. <c>Up 3 minutes</c>, <c>Exited (0) 5 seconds ago</c>.</summary>
    public string Status { get; set; } = "";

    public SummaryHostConfig HostConfig { get; set; } = new();

    public SummaryNetworkSettings NetworkSettings { get; set; } = new();
}

/// <summary>A published or exposed port as <c>/containers/json</c> lists it.</summary>
public sealed class PortSummary
{
    public string? IP { get; set; }

    public int PrivatePort { get; set; }

    public int? PublicPort { get; set; }

    /// <summary><c>tcp</c> or <c>udp</c>.</summary>
    public string Type { get; set; } = "tcp";
}

/// <summary><c>HostConfig</c> of <see cref="ContainerSummary"/>.</summary>
public sealed class SummaryHostConfig
{
    public string NetworkMode { get; set; } = "";
}

/// <summary><c>NetworkSettings</c> of <see cref="ContainerSummary"/>.</summary>
public sealed class SummaryNetworkSettings
{
    public Dictionary<string, EndpointSettings> Networks { get; set; } = [];
}
