namespace Netstack.Runtime.Containers;

/// <summary>
/// A container as the runtime knows it; also the record persisted (atomically) as
/// <c>{DataRoot}/containers/{id}/container.json</c>.
/// </summary>
public sealed record ContainerInfo
{
    /// <summary>64 lower-case hex digits.</summary>
    public required string Id { get; init; }

    public required string Name { get; init; }

    /// <summary>The image as the user named it (<c>busybox:latest</c>).</summary>
    public required string Image { get; init; }

    /// <summary>The image id (sha256 of its tarball, 64 hex).</summary>
    public required string ImageId { get; init; }

    public IReadOnlyList<string> Cmd { get; init; } = [];

    public IReadOnlyList<string> Env { get; init; } = [];

    public required string Hostname { get; init; }

    public string WorkingDir { get; init; } = "/";

    public DateTimeOffset Created { get; init; }

    public ContainerState State { get; init; }

    /// <summary>Host pid of the container's init process while running, else 0.</summary>
    public int Pid { get; init; }

    /// <summary>Exit status of the last run (128+signal when killed by a signal), null before the first exit.</summary>
    public int? ExitCode { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    public bool AutoRemove { get; init; }

    public IReadOnlyList<ContainerNetworkRequest> Networks { get; init; } = [];

    public IReadOnlyList<PortRequest> Ports { get; init; } = [];

    public IReadOnlyList<string> Dns { get; init; } = [];

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>host, container:ID or sandbox:NAME (see <see cref="ContainerSpec.NetworkMode"/>); null for networks or none.</summary>
    public string? NetworkMode { get; init; }

    /// <summary>Extra /etc/hosts entries (<c>--add-host</c>), as <c>NAME:IP</c>.</summary>
    public IReadOnlyList<string> ExtraHosts { get; init; } = [];

    /// <summary>The restart policy; null is "no".</summary>
    public RestartPolicySpec? RestartPolicy { get; init; }

    /// <summary>How many times the restart policy has restarted it since it was last started by hand.</summary>
    public int RestartCount { get; init; }

    /// <summary>True once a user stopped or killed it, until a user starts it again: the restart policy then holds back (always waits for a daemon restart).</summary>
    public bool ManuallyStopped { get; init; }

    /// <summary>Resource limits written into every run's OCI spec; null for none.</summary>
    public ContainerResources? Resources { get; init; }

    /// <summary>True when the kernel's OOM killer killed a process of the last run (read from its cgroup before runc removed it).</summary>
    public bool OomKilled { get; init; }

    /// <summary>The network namespace (sandbox key) of the current or last run; null before the first start or with a private namespace.</summary>
    public string? NetworkNamespace { get; init; }

    /// <summary>File holding the container's stdout (its stderr is next to it, <c>container-stderr.log</c>).</summary>
    public string LogPath { get; init; } = "";

    /// <summary>Bind and tmpfs mounts, in order.</summary>
    public IReadOnlyList<ContainerMount> Mounts { get; init; } = [];

    public bool ReadonlyRootfs { get; init; }

    /// <summary>The user as asked (<c>-u</c>), resolved at every start against the container's passwd and group files; null for root.</summary>
    public string? User { get; init; }

    public IReadOnlyList<string> DnsSearch { get; init; } = [];

    public IReadOnlyList<string> DnsOptions { get; init; } = [];

    /// <summary>The signal a stop sends first; null for SIGTERM.</summary>
    public string? StopSignal { get; init; }

    /// <summary>Seconds a stop waits before SIGKILL; null for the default 10, -1 for ever.</summary>
    public int? StopTimeout { get; init; }

    /// <summary>Start time of the init process in clock ticks since boot (/proc/PID/stat field 22), to tell it from a reused pid.</summary>
    public ulong PidStartTime { get; init; }

    /// <summary>A pseudo-terminal for the process (<c>-t</c>).</summary>
    public bool Tty { get; init; }

    /// <summary>stdin kept open for the daemon (<c>-i</c>).</summary>
    public bool OpenStdin { get; init; }

    /// <summary>stdin closed when the first attached client's input ends.</summary>
    public bool StdinOnce { get; init; }

    /// <summary>The terminal's size at the start (rows, columns); null for none.</summary>
    public IReadOnlyList<int>? ConsoleSize { get; init; }
}
