using System.Text.Json.Serialization;

namespace Netstack.Api.Contracts.Engine;

/// <summary>Answer of <c>GET /info</c>: the subset of the engine's "SystemInfo" netstack can fill truthfully.</summary>
public sealed class InfoResponse
{
    [JsonPropertyName("ID")]
    public string Id { get; set; } = "";

    public int Containers { get; set; }

    public int ContainersRunning { get; set; }

    public int ContainersPaused { get; set; }

    public int ContainersStopped { get; set; }

    public int Images { get; set; }

    public string Driver { get; set; } = "";

    public string DockerRootDir { get; set; } = "";

    public PluginsInfo Plugins { get; set; } = new();

    public string SystemTime { get; set; } = "";

    public string LoggingDriver { get; set; } = "";

    public string KernelVersion { get; set; } = "";

    public string OperatingSystem { get; set; } = "";

    [JsonPropertyName("OSType")]
    public string OsType { get; set; } = "";

    public string Architecture { get; set; } = "";

    [JsonPropertyName("NCPU")]
    public int NCpu { get; set; }

    public long MemTotal { get; set; }

    public string Name { get; set; } = "";

    public string ServerVersion { get; set; } = "";

    public Dictionary<string, string>? Labels { get; set; }

    public SwarmInfo Swarm { get; set; } = new();

    /// <summary>The global store's address (dockerd's field before swarm); empty on a single host.</summary>
    public string ClusterStore { get; set; } = "";

    /// <summary>Netstack's view of the global store; null on a single host.</summary>
    public ClusterStoreInfo? ClusterStoreStatus { get; set; }
}

/// <summary><c>ClusterStoreStatus</c> of <see cref="InfoResponse"/>.</summary>
public sealed class ClusterStoreInfo
{
    public string Address { get; set; } = "";

    /// <summary><c>connected</c> or <c>unavailable</c>.</summary>
    public string State { get; set; } = "";

    public string? Error { get; set; }

    /// <summary>The last store revision the daemon applied.</summary>
    public long Revision { get; set; }

    public int GlobalNetworks { get; set; }

    /// <summary>This daemon's node name in the cluster.</summary>
    public string Node { get; set; } = "";
}

/// <summary><c>Plugins</c> of <see cref="InfoResponse"/>: names of the drivers the daemon offers.</summary>
public sealed class PluginsInfo
{
    public List<string> Volume { get; set; } = [];

    public List<string> Network { get; set; } = [];

    public List<string> Authorization { get; set; } = [];

    public List<string> Log { get; set; } = [];
}

/// <summary><c>Swarm</c> of <see cref="InfoResponse"/>; netstack is never a swarm node, the docker CLI still reads it.</summary>
public sealed class SwarmInfo
{
    [JsonPropertyName("NodeID")]
    public string NodeId { get; set; } = "";

    public string NodeAddr { get; set; } = "";

    public string LocalNodeState { get; set; } = "inactive";

    public bool ControlAvailable { get; set; }

    public string Error { get; set; } = "";
}
