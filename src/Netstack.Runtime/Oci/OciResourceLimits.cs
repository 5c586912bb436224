namespace Netstack.Runtime.Oci;

/// <summary>OCI <c>linux.resources.memory</c>: limit and memory-plus-swap, bytes.</summary>
internal sealed class OciMemory
{
    public long? Limit { get; set; }

    public long? Swap { get; set; }
}

/// <summary>OCI <c>linux.resources.cpu</c>.</summary>
internal sealed class OciCpu
{
    public ulong? Shares { get; set; }

    public long? Quota { get; set; }

    public ulong? Period { get; set; }

    public string? Cpus { get; set; }
}

/// <summary>OCI <c>linux.resources.pids</c>.</summary>
internal sealed class OciPids
{
    public long Limit { get; set; }
}
