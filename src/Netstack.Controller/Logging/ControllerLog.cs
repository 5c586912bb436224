using Microsoft.Extensions.Logging;

namespace Netstack.Controller;

/// <summary>The controller's log messages; event ids 3000-3099.</summary>
internal static partial class ControllerLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "network {Name} ({Id}) created with driver {Driver}")]
    public static partial void NetworkCreated(ILogger logger, string name, string id, string driver);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "network {Name} ({Id}) deleted")]
    public static partial void NetworkDeleted(ILogger logger, string name, string id);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "sandbox {Name} ({Id}) created at {Key}")]
    public static partial void SandboxCreated(ILogger logger, string name, string id, string key);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Information, Message = "sandbox {Name} ({Id}) deleted")]
    public static partial void SandboxDeleted(ILogger logger, string name, string id);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Debug, Message = "endpoint {EndpointId} joined sandbox {Sandbox} on network {Network} as {Interface}")]
    public static partial void EndpointJoined(ILogger logger, string endpointId, string sandbox, string network, string @interface);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Debug, Message = "endpoint {EndpointId} left sandbox {Sandbox} on network {Network}")]
    public static partial void EndpointLeft(ILogger logger, string endpointId, string sandbox, string network);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Warning, Message = "rollback of {Operation} left errors: {Errors}")]
    public static partial void RollbackFailed(ILogger logger, string operation, string errors);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Warning, Message = "endpoint event {Kind} for {EndpointId}: subscriber failed")]
    public static partial void EventHandlerFailed(ILogger logger, string kind, string endpointId, Exception exception);

    [LoggerMessage(EventId = 3009, Level = LogLevel.Warning, Message = "forced disconnect of endpoint {EndpointId}: kernel teardown failed, reconcile will retry: {Error}")]
    public static partial void ForcedTeardownFailed(ILogger logger, string endpointId, string error);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Information, Message = "reconcile: {Repaired} repaired, {Recreated} recreated, {Removed} removed, {Errors} errors")]
    public static partial void Reconciled(ILogger logger, int repaired, int recreated, int removed, int errors);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Warning, Message = "reconcile: {Error}")]
    public static partial void ReconcileError(ILogger logger, string error);

    [LoggerMessage(EventId = 3012, Level = LogLevel.Information, Message = "reconcile: {What}")]
    public static partial void ReconcileRemoved(ILogger logger, string what);

    [LoggerMessage(EventId = 3013, Level = LogLevel.Warning, Message = "global store: key {Key} skipped: {Reason}")]
    public static partial void GlobalKeySkipped(ILogger logger, string key, string reason);

    [LoggerMessage(EventId = 3014, Level = LogLevel.Warning, Message = "global store {Address} unavailable: {Error}; global operations fail until it is back, local networks are not affected")]
    public static partial void GlobalStoreLost(ILogger logger, string address, string error);

    [LoggerMessage(EventId = 3015, Level = LogLevel.Information, Message = "global store {Address} reachable again; caught up to revision {Revision}")]
    public static partial void GlobalStoreBack(ILogger logger, string address, long revision);

    [LoggerMessage(EventId = 3016, Level = LogLevel.Information, Message = "global store: resynchronizing from a new snapshot ({Reason})")]
    public static partial void GlobalResync(ILogger logger, string reason);

    [LoggerMessage(EventId = 3017, Level = LogLevel.Information, Message = "global network {Name} ({Id}, driver {Driver}) known on this host")]
    public static partial void GlobalNetworkSeen(ILogger logger, string name, string id, string driver);

    [LoggerMessage(EventId = 3018, Level = LogLevel.Information, Message = "sandbox {Sandbox}: gateway network endpoint {Change} ({Reason})")]
    public static partial void GatewayEndpointChanged(ILogger logger, string sandbox, string change, string reason);
}
