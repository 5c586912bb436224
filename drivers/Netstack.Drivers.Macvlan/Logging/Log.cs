using Microsoft.Extensions.Logging;

namespace Netstack.Drivers.Macvlan;

/// <summary>The macvlan driver's log messages; event ids 2200-2299 are the macvlan driver's.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 2200, Level = LogLevel.Information, Message = "macvlan network {NetworkId} created on parent {Parent} mode {Mode} ({Subnets})")]
    public static partial void NetworkCreated(ILogger logger, string networkId, string parent, string mode, string subnets);

    [LoggerMessage(EventId = 2201, Level = LogLevel.Information, Message = "macvlan network {NetworkId} deleted")]
    public static partial void NetworkDeleted(ILogger logger, string networkId);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Information, Message = "802.1Q sub-interface {Name} created on {Parent} (VLAN {VlanId})")]
    public static partial void VlanCreated(ILogger logger, string name, string parent, int vlanId);

    [LoggerMessage(EventId = 2203, Level = LogLevel.Information, Message = "802.1Q sub-interface {Name} deleted")]
    public static partial void VlanDeleted(ILogger logger, string name);

    [LoggerMessage(EventId = 2204, Level = LogLevel.Debug, Message = "endpoint {EndpointId} joined {Sandbox} as {Interface} on parent {Parent}")]
    public static partial void EndpointJoined(ILogger logger, string endpointId, string sandbox, string @interface, string parent);

    [LoggerMessage(EventId = 2205, Level = LogLevel.Debug, Message = "endpoint {EndpointId} left")]
    public static partial void EndpointLeft(ILogger logger, string endpointId);

    [LoggerMessage(EventId = 2206, Level = LogLevel.Warning, Message = "reconcile: {Action}")]
    public static partial void Reconciled(ILogger logger, string action);

    [LoggerMessage(EventId = 2207, Level = LogLevel.Debug, Message = "endpoint {EndpointId} asked for published ports; macvlan publishes none (the container is directly on the segment)")]
    public static partial void PortsIgnored(ILogger logger, string endpointId);
}
