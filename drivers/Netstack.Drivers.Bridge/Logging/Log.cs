using Microsoft.Extensions.Logging;

namespace Netstack.Drivers.Bridge;

/// <summary>The bridge driver's log messages; event ids 2100-2199 are the bridge driver's.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 2100, Level = LogLevel.Information, Message = "bridge network {NetworkId} created: {Bridge} {Subnet} (steps: {Steps})")]
    public static partial void NetworkCreated(ILogger logger, string networkId, string bridge, string subnet, string steps);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "bridge network {NetworkId} deleted")]
    public static partial void NetworkDeleted(ILogger logger, string networkId);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Debug, Message = "endpoint {EndpointId} joined {Sandbox} as {Interface} (host end {HostEnd})")]
    public static partial void EndpointJoined(ILogger logger, string endpointId, string sandbox, string @interface, string hostEnd);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Debug, Message = "endpoint {EndpointId} left")]
    public static partial void EndpointLeft(ILogger logger, string endpointId);

    [LoggerMessage(EventId = 2104, Level = LogLevel.Information, Message = "endpoint {EndpointId} publishes {Bindings}")]
    public static partial void PortsPublished(ILogger logger, string endpointId, string bindings);

    [LoggerMessage(EventId = 2105, Level = LogLevel.Warning, Message = "reconcile: {Action}")]
    public static partial void Reconciled(ILogger logger, string action);
}
