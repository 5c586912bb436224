namespace Netstack.Daemon.Plugin;

/// <summary>The Docker plugin's log messages; event ids 5xxx.</summary>
internal static partial class PluginLog
{
    [LoggerMessage(5000, LogLevel.Information, "plugin: network {NetworkId} created by dockerd on driver {Driver}")]
    public static partial void NetworkCreated(ILogger logger, string networkId, string driver);

    [LoggerMessage(5001, LogLevel.Information, "plugin: network {NetworkId} deleted by dockerd")]
    public static partial void NetworkDeleted(ILogger logger, string networkId);

    [LoggerMessage(5002, LogLevel.Debug, "plugin: endpoint {EndpointId} of network {NetworkId} created (MAC {MacAddress})")]
    public static partial void EndpointCreated(ILogger logger, string endpointId, string networkId, string macAddress);

    [LoggerMessage(5003, LogLevel.Debug, "plugin: endpoint {EndpointId} joined: {Interface} handed over to dockerd")]
    public static partial void EndpointJoined(ILogger logger, string endpointId, string @interface);

    [LoggerMessage(5004, LogLevel.Debug, "plugin: endpoint {EndpointId} left")]
    public static partial void EndpointLeft(ILogger logger, string endpointId);

    [LoggerMessage(5005, LogLevel.Debug, "plugin: endpoint {EndpointId} deleted")]
    public static partial void EndpointDeleted(ILogger logger, string endpointId);

    [LoggerMessage(5006, LogLevel.Debug, "plugin: endpoint {EndpointId} publishes {Ports}")]
    public static partial void PortsProgrammed(ILogger logger, string endpointId, string ports);

    [LoggerMessage(5007, LogLevel.Warning, "plugin: stored record {Key} is unreadable and is ignored: {Error}")]
    public static partial void RecordUnreadable(ILogger logger, string key, string error);
}
