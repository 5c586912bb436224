namespace Netstack.Daemon.Dns;

/// <summary>Log messages of the sandbox resolvers; event ids 4xxx.</summary>
internal static partial class DnsLog
{
    [LoggerMessage(4000, LogLevel.Information, "sandbox {SandboxId}: resolver on 127.0.0.11 (udp {UdpPort}, tcp {TcpPort}), forwarding {Forward}")]
    public static partial void ResolverStarted(ILogger logger, string sandboxId, int udpPort, int tcpPort, bool forward);

    [LoggerMessage(4001, LogLevel.Information, "sandbox {SandboxId}: resolver stopped")]
    public static partial void ResolverStopped(ILogger logger, string sandboxId);

    [LoggerMessage(4002, LogLevel.Error, "sandbox {SandboxId}: starting its resolver failed; its containers fall back to the daemon's resolv.conf")]
    public static partial void ResolverStartFailed(ILogger logger, string sandboxId, Exception exception);

    [LoggerMessage(4003, LogLevel.Warning, "sandbox {SandboxId}: removing its DNS redirect failed")]
    public static partial void RedirectRemoveFailed(ILogger logger, string sandboxId, Exception exception);

    [LoggerMessage(4004, LogLevel.Warning, "sandbox {SandboxId}: updating its resolver failed")]
    public static partial void SyncFailed(ILogger logger, string sandboxId, Exception exception);

    [LoggerMessage(4005, LogLevel.Information, "resolvers restarted for {Count} sandboxes")]
    public static partial void ResolversRestored(ILogger logger, int count);

    [LoggerMessage(4020, LogLevel.Information, "network {NetworkName} ({NetworkId}): watching endpoint_table for the names of other nodes' endpoints")]
    public static partial void EndpointTableWatched(ILogger logger, string networkName, string networkId);

    [LoggerMessage(4021, LogLevel.Information, "network {NetworkName} ({NetworkId}): no local endpoint left, endpoint_table no longer watched and its remote names dropped")]
    public static partial void EndpointTableUnwatched(ILogger logger, string networkName, string networkId);

    [LoggerMessage(4022, LogLevel.Warning, "endpoint {EndpointId} on network {NetworkName}: publishing its names to the cluster failed")]
    public static partial void EndpointPublishFailed(ILogger logger, string endpointId, string networkName, Exception exception);

    [LoggerMessage(4023, LogLevel.Warning, "network {NetworkId}: endpoint_table entry {Key} from node {Owner} skipped: {Reason}")]
    public static partial void RemoteEntrySkipped(ILogger logger, string networkId, string key, string owner, string reason);

    [LoggerMessage(4024, LogLevel.Warning, "network {NetworkId}: endpoint_table entry {Key} from node {Owner} claims the id of a local endpoint; skipped")]
    public static partial void RemoteEntryClaimsLocalEndpoint(ILogger logger, string networkId, string key, string owner);

    [LoggerMessage(4025, LogLevel.Information, "network {NetworkId}: names of endpoint {Key} dropped, its node {Owner} failed (they come back with it)")]
    public static partial void RemoteNamesSuspended(ILogger logger, string networkId, string key, string owner);

    [LoggerMessage(4026, LogLevel.Information, "network {NetworkId}: endpoint_table entry {Key} was published by this node before a restart and its endpoint is gone; withdrawn")]
    public static partial void StaleOwnEntryWithdrawn(ILogger logger, string networkId, string key);
}
