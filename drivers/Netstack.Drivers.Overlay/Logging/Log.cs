using Microsoft.Extensions.Logging;

namespace Netstack.Drivers.Overlay;

/// <summary>The overlay driver's log messages; event ids 2300-2399 are the overlay driver's.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 2300, Level = LogLevel.Information, Message = "overlay network {NetworkId} registered: VNI {Vni}, MTU {Mtu}")]
    public static partial void NetworkCreated(ILogger logger, string networkId, uint vni, int mtu);

    [LoggerMessage(EventId = 2301, Level = LogLevel.Information, Message = "overlay network {NetworkId} deleted")]
    public static partial void NetworkDeleted(ILogger logger, string networkId);

    [LoggerMessage(EventId = 2302, Level = LogLevel.Information, Message = "overlay network {NetworkId}: namespace {Namespace} with br0 and {Vxlan} (VNI {Vni}, dstport {Port}) made")]
    public static partial void DatapathCreated(ILogger logger, string networkId, string @namespace, string vxlan, uint vni, ushort port);

    [LoggerMessage(EventId = 2303, Level = LogLevel.Information, Message = "overlay network {NetworkId}: namespace {Namespace} removed with its last endpoint")]
    public static partial void DatapathRemoved(ILogger logger, string networkId, string @namespace);

    [LoggerMessage(EventId = 2304, Level = LogLevel.Debug, Message = "endpoint {EndpointId} joined {Sandbox} as {Interface} (host end {HostEnd})")]
    public static partial void EndpointJoined(ILogger logger, string endpointId, string sandbox, string @interface, string hostEnd);

    [LoggerMessage(EventId = 2305, Level = LogLevel.Debug, Message = "endpoint {EndpointId} left")]
    public static partial void EndpointLeft(ILogger logger, string endpointId);

    [LoggerMessage(EventId = 2306, Level = LogLevel.Debug, Message = "overlay network {NetworkId}: peer {Address} {Mac} via {Vtep} of node {Node} programmed ({Why})")]
    public static partial void PeerProgrammed(ILogger logger, string networkId, string address, string mac, string vtep, string node, string why);

    [LoggerMessage(EventId = 2307, Level = LogLevel.Debug, Message = "overlay network {NetworkId}: peer {Address} of node {Node} removed")]
    public static partial void PeerRemoved(ILogger logger, string networkId, string address, string node);

    [LoggerMessage(EventId = 2308, Level = LogLevel.Information, Message = "overlay network {NetworkId}: peer {Address} of failed node {Node} suspended")]
    public static partial void PeerSuspended(ILogger logger, string networkId, string address, string node);

    [LoggerMessage(EventId = 2309, Level = LogLevel.Warning, Message = "overlay network {NetworkId}: peer table entry {Key} of node {Node} skipped: {Reason}")]
    public static partial void PeerEntrySkipped(ILogger logger, string networkId, string key, string node, string reason);

    [LoggerMessage(EventId = 2310, Level = LogLevel.Error, Message = "overlay network {NetworkId}: kernel entries of peer {Address} failed: {Reason}")]
    public static partial void PeerProgramFailed(ILogger logger, string networkId, string address, string reason);

    [LoggerMessage(EventId = 2314, Level = LogLevel.Warning, Message = "overlay network {NetworkId}: announcing peer {Address} on br0 failed: {Reason}")]
    public static partial void PeerAnnounceFailed(ILogger logger, string networkId, string address, string reason);

    [LoggerMessage(EventId = 2311, Level = LogLevel.Debug, Message = "overlay network {NetworkId}: miss for unknown {What}; programmed when its entry arrives")]
    public static partial void MissUnknown(ILogger logger, string networkId, string what);

    [LoggerMessage(EventId = 2312, Level = LogLevel.Error, Message = "overlay network {NetworkId}: miss listener stopped: {Reason}")]
    public static partial void MissListenerFailed(ILogger logger, string networkId, string reason);

    [LoggerMessage(EventId = 2313, Level = LogLevel.Warning, Message = "reconcile: {Action}")]
    public static partial void Reconciled(ILogger logger, string action);
}
