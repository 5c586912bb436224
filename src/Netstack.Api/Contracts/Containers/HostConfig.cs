namespace Netstack.Api.Contracts.Containers;

/// <summary>The part of the engine's "HostConfig" netstack honours.</summary>
public sealed class HostConfig
{
    /// <summary>Published ports: <c>PORT/PROTO</c> to host bindings, e.g. <c>{"80/tcp": [{"HostIp": "", "HostPort": "8080"}]}</c>.</summary>
    public Dictionary<string, List<PortBinding>>? PortBindings { get; set; }

    /// <summary>The first network to join (<c>--network</c>); <c>default</c> or empty means the daemon's default.</summary>
    public string? NetworkMode { get; set; }

    public List<string>? Dns { get; set; }

    public List<string>? DnsSearch { get; set; }

    public List<string>? DnsOptions { get; set; }

    public List<string>? ExtraHosts { get; set; }

    public bool AutoRemove { get; set; }

    /// <summary>The terminal's size at the start as [height, width] (rows, columns), with <c>Tty</c>.</summary>
    public List<int>? ConsoleSize { get; set; }

    public RestartPolicy? RestartPolicy { get; set; }

    /// <summary>Memory limit in bytes (<c>--memory</c>); 0 none.</summary>
    public long Memory { get; set; }

    /// <summary>Memory plus swap in bytes (<c>--memory-swap</c>); -1 unlimited swap, 0 twice the memory (Docker's default).</summary>
    public long MemorySwap { get; set; }

    /// <summary>CPUs in units of 10^-9 (<c>--cpus</c>).</summary>
    public long NanoCpus { get; set; }

    /// <summary>Relative CPU weight (<c>--cpu-shares</c>, 1024 the default weight).</summary>
    public long CpuShares { get; set; }

    public long CpuPeriod { get; set; }

    public long CpuQuota { get; set; }

    /// <summary>Most processes (<c>--pids-limit</c>); 0, -1 or null unlimited.</summary>
    public long? PidsLimit { get; set; }

    /// <summary>CPUs the container may use (<c>--cpuset-cpus</c>, e.g. <c>0-1</c>).</summary>
    public string? CpusetCpus { get; set; }

    /// <summary>Bind mounts as <c>-v</c> gives them: <c>HOSTPATH:CTRPATH[:OPTIONS]</c>, options <c>ro</c>, <c>rw</c> and a propagation.</summary>
    public List<string>? Binds { get; set; }

    /// <summary>Mounts as <c>--mount</c> gives them (types bind and tmpfs).</summary>
    public List<Mount>? Mounts { get; set; }

    /// <summary>tmpfs mounts (<c>--tmpfs</c>): container path to mount options, e.g. <c>{"/run": "rw,size=64m"}</c>.</summary>
    public Dictionary<string, string>? Tmpfs { get; set; }

    /// <summary>Mount the container's root file system read-only (<c>--read-only</c>).</summary>
    public bool ReadonlyRootfs { get; set; }
}

/// <summary>One entry of <c>HostConfig.Mounts</c>, the engine's mount object.</summary>
public sealed class Mount
{
    /// <summary><c>bind</c> or <c>tmpfs</c> (volumes are not served).</summary>
    public string? Type { get; set; }

    public string? Source { get; set; }

    public string? Target { get; set; }

    public bool ReadOnly { get; set; }

    public MountBindOptions? BindOptions { get; set; }

    public MountTmpfsOptions? TmpfsOptions { get; set; }
}

public sealed class MountBindOptions
{
    /// <summary>private, rprivate, shared, rshared, slave or rslave.</summary>
    public string? Propagation { get; set; }
}

public sealed class MountTmpfsOptions
{
    /// <summary>Size in bytes; 0 for the kernel's default (half the memory).</summary>
    public long SizeBytes { get; set; }

    /// <summary>Permission bits of the tmpfs's root, e.g. 1777 octal as the number 1023.</summary>
    public int Mode { get; set; }
}

/// <summary>One host side of a published port.</summary>
public sealed class PortBinding
{
    /// <summary>Host address to bind; empty for every address.</summary>
    public string HostIp { get; set; } = "";

    public string HostPort { get; set; } = "";
}

/// <summary>The engine's restart policy; netstack keeps <c>no</c> and <c>unless-stopped</c>.</summary>
public sealed class RestartPolicy
{
    public string Name { get; set; } = "";

    public int MaximumRetryCount { get; set; }
}
