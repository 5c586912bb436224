namespace Netstack.Core.Drivers;

/// <summary>A stored endpoint of the driver, handed over at reconcile.</summary>
public sealed record DriverEndpointState
{
    public required DriverEndpoint Endpoint { get; init; }

    /// <summary>The join, when the endpoint is joined to a sandbox whose namespace still exists.</summary>
    public JoinRequest? Join { get; init; }

    /// <summary>Port bindings programmed for the endpoint (resolved host ports).</summary>
    public IReadOnlyList<PortBinding> PortBindings { get; init; } = [];
}

/// <summary>Everything the store holds for one driver.</summary>
public sealed record DriverReconcileRequest
{
    public IReadOnlyList<DriverNetwork> Networks { get; init; } = [];

    public IReadOnlyList<DriverEndpointState> Endpoints { get; init; } = [];
}

/// <summary>What a reconcile changed, for the daemon's log.</summary>
public sealed record DriverReconcileReport
{
    /// <summary>Objects recreated, as short descriptions (<c>bridge br-0123456789ab</c>).</summary>
    public IReadOnlyList<string> Recreated { get; init; } = [];

    /// <summary>Orphans removed.</summary>
    public IReadOnlyList<string> Removed { get; init; } = [];

    /// <summary>Failures; reconcile goes on after each.</summary>
    public IReadOnlyList<string> Errors { get; init; } = [];
}
