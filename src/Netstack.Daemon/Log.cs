namespace Netstack.Daemon;

/// <summary>The daemon's log messages; event ids 1xxx hosting, 2xxx HTTP, 3xxx containers.</summary>
internal static partial class Log
{
    [LoggerMessage(1000, LogLevel.Information, "netstackd {Version} listening on unix://{SocketPath} (root {Root}, exec-root {ExecRoot})")]
    public static partial void Listening(ILogger logger, string version, string socketPath, string root, string execRoot);

    [LoggerMessage(1001, LogLevel.Warning, "removed stale socket {SocketPath} left by a daemon that is gone")]
    public static partial void StaleSocketRemoved(ILogger logger, string socketPath);

    [LoggerMessage(1002, LogLevel.Information, "reconcile: {Repaired} repaired, {Recreated} recreated, {Removed} removed, {Errors} errors")]
    public static partial void Reconciled(ILogger logger, int repaired, int recreated, int removed, int errors);

    [LoggerMessage(1099, LogLevel.Information, "reconcile: {What}")]
    public static partial void ReconcileChange(ILogger logger, string what);

    [LoggerMessage(1003, LogLevel.Warning, "reconcile error: {Error}")]
    public static partial void ReconcileError(ILogger logger, string error);

    [LoggerMessage(1004, LogLevel.Information, "recovered {Count} containers")]
    public static partial void ContainersRecovered(ILogger logger, int count);

    [LoggerMessage(1005, LogLevel.Information, "netstackd stopping")]
    public static partial void Stopping(ILogger logger);

    [LoggerMessage(1006, LogLevel.Information, "serving the Docker plugin \"netstack\" (NetworkDriver, IpamDriver) on unix://{SocketPath}")]
    public static partial void PluginListening(ILogger logger, string socketPath);

    [LoggerMessage(2000, LogLevel.Error, "{Method} {Path} failed")]
    public static partial void RequestFault(ILogger logger, string method, string? path, Exception exception);

    [LoggerMessage(2001, LogLevel.Debug, "{Method} {Path} rejected with {Status}: {Message}")]
    public static partial void RequestRejected(ILogger logger, string method, string? path, int status, string message);

    [LoggerMessage(3000, LogLevel.Information, "container {Id} ({Name}) exited with {ExitCode}; releasing its networks")]
    public static partial void ContainerExited(ILogger logger, string id, string name, int exitCode);

    [LoggerMessage(3001, LogLevel.Warning, "container {Id}: cleaning up its sandbox failed")]
    public static partial void ContainerCleanupFailed(ILogger logger, string id, Exception exception);

    [LoggerMessage(3002, LogLevel.Warning, "container {Id}: removing it after exit (--rm) failed")]
    public static partial void AutoRemoveFailed(ILogger logger, string id, Exception exception);

    [LoggerMessage(3003, LogLevel.Information, "container {Id} restarted by its restart policy (restart {Count})")]
    public static partial void ContainerRestarted(ILogger logger, string id, int count);

    [LoggerMessage(3004, LogLevel.Warning, "container {Id}: restarting it by its restart policy failed")]
    public static partial void ContainerRestartFailed(ILogger logger, string id, Exception exception);

    [LoggerMessage(3010, LogLevel.Debug, "container {Id}: reading its interfaces' counters for stats failed")]
    public static partial void StatsNetworkFailed(ILogger logger, string id, Exception exception);
}
