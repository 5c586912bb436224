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

    [LoggerMessage(6003, LogLevel.Information, "trace {Id} of {From}: capturing the hops to {Destination} for at most {Seconds} s")]
    public static partial void RemoteTraceServing(ILogger logger, string from, string id, string destination, double seconds);

    [LoggerMessage(6004, LogLevel.Warning, "trace {Id} with {Node}: {Reason}")]
    public static partial void RemoteTraceFailed(ILogger logger, string node, string id, string reason);
}
