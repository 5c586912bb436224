namespace Netstack.Controller;

/// <summary>The global store as this daemon sees it (<c>/info</c>'s cluster store part).</summary>
public sealed record ClusterStoreStatus
{
    /// <summary>The store as configured (<c>etcd://10.0.0.1:2379</c>).</summary>
    public required string Address { get; init; }

    /// <summary>True while the watch of global networks runs; false after a failure until it resumes.</summary>
    public bool Connected { get; init; }

    /// <summary>Why it is not connected (the last failure), or null.</summary>
    public string? Error { get; init; }

    /// <summary>The last store revision this daemon applied.</summary>
    public long Revision { get; init; }

    /// <summary>Global networks known.</summary>
    public int Networks { get; init; }

    /// <summary>This node's name (owner of its attachments and addresses).</summary>
    public string Node { get; init; } = string.Empty;
}
