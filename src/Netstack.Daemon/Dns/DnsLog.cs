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
}
