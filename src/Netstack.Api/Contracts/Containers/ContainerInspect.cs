namespace Netstack.Api.Contracts.Containers;

/// <summary>Answer of <c>GET /containers/{id}/json</c>.</summary>
public sealed class ContainerInspect
{
    public string Id { get; set; } = "";

    /// <summary>RFC 3339.</summary>
    public string Created { get; set; } = "";

    public string Path { get; set; } = "";

    public List<string> Args { get; set; } = [];

    public ContainerState State { get; set; } = new();

    public string Image { get; set; } = "";

    public string ResolvConfPath { get; set; } = "";

    public string HostnamePath { get; set; } = "";

    public string HostsPath { get; set; } = "";

    public string LogPath { get; set; } = "";

    /// <summary>With the engine's leading slash.</summary>
    public string Name { get; set; } = "";

    public int RestartCount { get; set; }

    public string Driver { get; set; } = "";

    public string Platform { get; set; } = "linux";

    public ContainerConfig Config { get; set; } = new();

    public HostConfig HostConfig { get; set; } = new();

    /// <summary>The container's mounts as they are made (bind and tmpfs), in order.</summary>
    public List<MountPoint> Mounts { get; set; } = [];

    public ContainerNetworkSettings NetworkSettings { get; set; } = new();
}

/// <summary>One entry of inspect's <c>Mounts</c>.</summary>
public sealed class MountPoint
{
    public string Type { get; set; } = "";

    public string Source { get; set; } = "";

    public string Destination { get; set; } = "";

    /// <summary>The options as given (<c>ro</c>, a tmpfs's size and mode), comma-separated.</summary>
    public string Mode { get; set; } = "";

    public bool RW { get; set; }

    public string Propagation { get; set; } = "";
}

/// <summary><c>State</c> of <see cref="ContainerInspect"/>.</summary>
public sealed class ContainerState
{
    /// <summary><c>created</c>, <c>running</c>, <c>paused</c>, <c>restarting</c>, <c>removing</c>, <c>exited</c>, <c>dead</c>.</summary>
    public string Status { get; set; } = "";

    public bool Running { get; set; }

    public bool Paused { get; set; }

    public bool Restarting { get; set; }

    public bool OOMKilled { get; set; }

    public bool Dead { get; set; }

    public int Pid { get; set; }

    public int ExitCode { get; set; }

    public string Error { get; set; } = "";

    public string StartedAt { get; set; } = "";

    public string FinishedAt { get; set; } = "";
}
