namespace Netstack.Runtime.Containers;

/// <summary>What to create: the image, the command and the networking the daemon should give it.</summary>
public sealed class ContainerSpec
{
    /// <summary>Image reference <c>name[:tag]</c> or image id.</summary>
    public required string Image { get; init; }

    /// <summary>The command and its arguments (the image has no default command, so this is required).</summary>
    public IReadOnlyList<string> Cmd { get; init; } = [];

    /// <summary>Environment as <c>KEY=VALUE</c>; PATH gets a default when absent.</summary>
    public IReadOnlyList<string> Env { get; init; } = [];

    /// <summary>Unique name; null gets a generated one.</summary>
    public string? Name { get; init; }

    /// <summary>Hostname inside the container; null gives the first 12 hex digits of the id, as Docker does.</summary>
    public string? Hostname { get; init; }

    /// <summary>Working directory (absolute); null is "/".</summary>
    public string? WorkingDir { get; init; }

    /// <summary>Remove the container once it has exited (the daemon calls <c>DeleteAsync</c> on the exit event).</summary>
    public bool AutoRemove { get; init; }

    /// <summary>Networks to connect at start. The runtime only keeps them; the daemon acts on them.</summary>
    public IReadOnlyList<ContainerNetworkRequest> Networks { get; init; } = [];

    /// <summary>Ports to publish. The runtime only keeps them; the bridge driver publishes them.</summary>
    public IReadOnlyList<PortRequest> Ports { get; init; } = [];

    /// <summary>DNS servers for the container's resolv.conf (<c>--dns</c>). Kept for the daemon.</summary>
    public IReadOnlyList<string> Dns { get; init; } = [];

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// A network mode other than "join these networks", kept for the daemon: <c>host</c>,
    /// <c>container:ID</c> (the owner's full id) or <c>sandbox:NAME</c>; null for networks or none.
    /// </summary>
    public string? NetworkMode { get; init; }

    /// <summary>The restart policy (<c>--restart</c>); the runtime keeps it, the daemon acts on it. Null is "no".</summary>
    public RestartPolicySpec? RestartPolicy { get; init; }

    /// <summary>Extra /etc/hosts entries as <c>IP NAME</c> pairs (<c>--add-host NAME:IP</c>), kept for the daemon.</summary>
    public IReadOnlyList<string> ExtraHosts { get; init; } = [];

    /// <summary>Resource limits for the OCI spec; null for none.</summary>
    public ContainerResources? Resources { get; init; }

    /// <summary>Bind mounts and tmpfs mounts (<c>-v</c>, <c>--mount</c>, <c>--tmpfs</c>), in order.</summary>
    public IReadOnlyList<ContainerMount> Mounts { get; init; } = [];

    /// <summary>Mount the root file system read-only (<c>--read-only</c>); /etc/hosts, resolv.conf, hostname and the mounts stay as they are.</summary>
    public bool ReadonlyRootfs { get; init; }

    /// <summary>The user to run as (<c>-u</c>): <c>uid[:gid]</c> or <c>name[:group]</c> from the image's passwd and group files; null for root.</summary>
    public string? User { get; init; }

    /// <summary>Search domains for the container's resolv.conf (<c>--dns-search</c>). Kept for the daemon.</summary>
    public IReadOnlyList<string> DnsSearch { get; init; } = [];

    /// <summary>resolv.conf options (<c>--dns-option</c>, e.g. <c>ndots:2</c>). Kept for the daemon.</summary>
    public IReadOnlyList<string> DnsOptions { get; init; } = [];

    /// <summary>The signal a stop sends first (<c>--stop-signal</c>); null for SIGTERM.</summary>
    public string? StopSignal { get; init; }

    /// <summary>Seconds a stop waits before SIGKILL (<c>--stop-timeout</c>); null for 10, -1 to wait for ever.</summary>
    public int? StopTimeout { get; init; }
    /// <summary>A pseudo-terminal for the process (<c>-t</c>): its output raw in the log, its input and size from the daemon.</summary>
    public bool Tty { get; init; }

    /// <summary>Keep the process's stdin open for the daemon to write to (<c>-i</c>).</summary>
    public bool OpenStdin { get; init; }

    /// <summary>Close the process's stdin when the first attached client's input ends (<c>docker run -i</c>).</summary>
    public bool StdinOnce { get; init; }

    /// <summary>The terminal's size at the start as rows and columns (<c>HostConfig.ConsoleSize</c>); null leaves the kernel's 0x0.</summary>
    public IReadOnlyList<int>? ConsoleSize { get; init; }
}
