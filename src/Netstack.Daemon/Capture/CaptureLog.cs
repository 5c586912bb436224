namespace Netstack.Daemon.Capture;

/// <summary>Log messages of packet captures; event ids 6xxx.</summary>
internal static partial class CaptureLog
{
    [LoggerMessage(6000, LogLevel.Information, "capture of {Target} started on {Interfaces}")]
    public static partial void Started(ILogger logger, string target, string interfaces);

    [LoggerMessage(6001, LogLevel.Information, "capture of {Target} ended ({Reason}): {Packets} packets sent, kernel counters {Counters}")]
    public static partial void Ended(ILogger logger, string target, string reason, long packets, string counters);

    [LoggerMessage(6002, LogLevel.Information, "trace from {Container}: {Probe}: {Verdict}")]
    public static partial void Traced(ILogger logger, string container, string probe, string verdict);
}
