using Microsoft.Extensions.Logging;

namespace Netstack.Runtime;

/// <summary>The runtime's log messages; event ids 4000-4099 belong to the runtime.</summary>
internal static partial class Log
{
    [LoggerMessage(4000, LogLevel.Information, "Imported image {ImageId} as {Reference}")]
    public static partial void ImageImported(ILogger logger, string imageId, string reference);

    [LoggerMessage(4001, LogLevel.Information, "Removed image {ImageId}")]
    public static partial void ImageRemoved(ILogger logger, string imageId);

    [LoggerMessage(4002, LogLevel.Warning, "Skipping unreadable image directory {Path}")]
    public static partial void ImageUnreadable(ILogger logger, string path, Exception exception);

    [LoggerMessage(4010, LogLevel.Information, "Created container {ContainerId} ({Name}) from {Image}")]
    public static partial void ContainerCreated(ILogger logger, string containerId, string name, string image);

    [LoggerMessage(4011, LogLevel.Information, "Started container {ContainerId} with init pid {Pid}")]
    public static partial void ContainerStarted(ILogger logger, string containerId, int pid);

    [LoggerMessage(4012, LogLevel.Information, "Container {ContainerId} exited with {ExitCode}")]
    public static partial void ContainerExited(ILogger logger, string containerId, int exitCode);

    [LoggerMessage(4013, LogLevel.Information, "Deleted container {ContainerId}")]
    public static partial void ContainerDeleted(ILogger logger, string containerId);

    [LoggerMessage(4014, LogLevel.Information, "Recovered container {ContainerId} in state {State}")]
    public static partial void ContainerRecovered(ILogger logger, string containerId, string state);

    [LoggerMessage(4015, LogLevel.Warning, "Skipping unreadable container record {Path}")]
    public static partial void ContainerUnreadable(ILogger logger, string path, Exception exception);

    [LoggerMessage(4016, LogLevel.Warning, "Removing orphaned container state {ContainerId}")]
    public static partial void OrphanRemoved(ILogger logger, string containerId);

    [LoggerMessage(4017, LogLevel.Warning, "Cleanup step failed for container {ContainerId}")]
    public static partial void CleanupFailed(ILogger logger, string containerId, Exception exception);

    [LoggerMessage(4018, LogLevel.Error, "Exit watcher failed for container {ContainerId}")]
    public static partial void WatcherFailed(ILogger logger, string containerId, Exception exception);

    [LoggerMessage(4019, LogLevel.Error, "A ContainerExited handler threw for container {ContainerId}")]
    public static partial void ExitHandlerFailed(ILogger logger, string containerId, Exception exception);

    [LoggerMessage(4090, LogLevel.Information, "Exec holder files {Stem} removed: their holder is gone")]
    public static partial void ExecHolderSwept(ILogger logger, string stem);

    [LoggerMessage(4091, LogLevel.Debug, "Container {ContainerId} removed through runc delete: {Reason}")]
    public static partial void RuncDeleteNeeded(ILogger logger, string containerId, string reason);
}
