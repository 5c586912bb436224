using Netstack.Core;

namespace Netstack.Controller;

/// <summary>What happened to an endpoint.</summary>
public enum EndpointEventKind
{
    /// <summary>The endpoint joined its sandbox; its addresses and DNS names are valid from now.</summary>
    Joined,

    /// <summary>The endpoint left (disconnect, sandbox or network deleted, reconcile cleanup).</summary>
    Left,

    /// <summary>The sandbox was renamed; <see cref="EndpointEvent.OldName"/> holds the previous sandbox name.</summary>
    Renamed,
}

/// <summary>An endpoint change, as the DNS server consumes it.</summary>
public sealed record EndpointEvent(EndpointEventKind Kind, EndpointInfo Endpoint, string? OldName = null);

/// <summary>What <see cref="INetworkController.ReconcileAsync"/> did.</summary>
public sealed record ReconcileReport
{
    /// <summary>Half-done operations rolled back or completed.</summary>
    public IReadOnlyList<string> Repaired { get; init; } = [];

    /// <summary>Objects recreated in the kernel.</summary>
    public IReadOnlyList<string> Recreated { get; init; } = [];

    /// <summary>Orphans removed (namespaces, driver objects, leaked addresses).</summary>
    public IReadOnlyList<string> Removed { get; init; } = [];

    /// <summary>Failures; reconcile goes on after each.</summary>
    public IReadOnlyList<string> Errors { get; init; } = [];
}
