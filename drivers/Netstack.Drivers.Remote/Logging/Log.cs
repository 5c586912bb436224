using Microsoft.Extensions.Logging;

namespace Netstack.Drivers.Remote.Logging;

/// <summary>The remote driver's log messages; event ids 2400-2499 are the remote driver's.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 2400, Level = LogLevel.Information, Message = "plugin {Plugin} at {Address} activated; it implements {Implements}")]
    public static partial void PluginActivated(ILogger logger, string plugin, string address, string implements);

    [LoggerMessage(EventId = 2401, Level = LogLevel.Debug, Message = "plugin {Plugin}: activation attempt {Attempt} failed ({Reason}); retrying")]
    public static partial void ActivationRetry(ILogger logger, string plugin, int attempt, string reason);

    [LoggerMessage(EventId = 2402, Level = LogLevel.Information, Message = "remote driver {Plugin} found: {Source}")]
    public static partial void PluginFound(ILogger logger, string plugin, string source);

    [LoggerMessage(EventId = 2403, Level = LogLevel.Warning, Message = "plugin {Plugin}: {What} failed; the plugin may hold leftovers: {Reason}")]
    public static partial void RollbackFailed(ILogger logger, string plugin, string what, string reason);

    [LoggerMessage(EventId = 2404, Level = LogLevel.Debug, Message = "endpoint {EndpointId}: {Source} moved into {Sandbox} as {Interface}")]
    public static partial void InterfaceMoved(ILogger logger, string endpointId, string source, string sandbox, string @interface);

    [LoggerMessage(EventId = 2405, Level = LogLevel.Debug, Message = "endpoint {EndpointId}: {Interface} moved back to the host as {Source}")]
    public static partial void InterfaceReturned(ILogger logger, string endpointId, string @interface, string source);

    [LoggerMessage(EventId = 2406, Level = LogLevel.Warning, Message = "plugin {Plugin} cannot be used yet: {Reason}")]
    public static partial void PluginUnavailable(ILogger logger, string plugin, string reason);

    [LoggerMessage(EventId = 2407, Level = LogLevel.Debug, Message = "plugin {Plugin} does not serve {Method}; skipped (optional)")]
    public static partial void OptionalMethodSkipped(ILogger logger, string plugin, string method);
}
