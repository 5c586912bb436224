using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Netstack.Dns.Wire;

namespace Netstack.Dns;

/// <summary>Source-generated log messages of the DNS library; event ids 5000-5099 (issue 5).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 5001, Level = LogLevel.Debug, Message = "Upstream {Server} answered {Code} for '{Name}'; trying the next server")]
    public static partial void UpstreamRefused(ILogger logger, string name, IPEndPoint server, DnsResponseCode code);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Debug, Message = "Upstream {Server} did not answer '{Name}' within {Timeout}")]
    public static partial void UpstreamTimeout(ILogger logger, string name, IPEndPoint server, TimeSpan timeout);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Debug, Message = "Upstream {Server} failed for '{Name}': {Error}")]
    public static partial void UpstreamSocketError(ILogger logger, string name, IPEndPoint server, SocketError error);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Debug, Message = "Upstream {Server} sent a malformed answer for '{Name}': {Reason}")]
    public static partial void UpstreamMalformed(ILogger logger, string name, IPEndPoint server, string reason);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Debug, Message = "Upstream {Server} truncated the answer for '{Name}'; retrying over TCP")]
    public static partial void UpstreamTruncated(ILogger logger, string name, IPEndPoint server);

    [LoggerMessage(EventId = 5006, Level = LogLevel.Information, Message = "All {Count} upstream servers failed for '{Name}'; answering SERVFAIL")]
    public static partial void AllUpstreamsFailed(ILogger logger, string name, int count);

    [LoggerMessage(EventId = 5010, Level = LogLevel.Debug, Message = "Dropped a malformed DNS message from {Client}: {Reason}")]
    public static partial void Malformed(ILogger logger, string client, string reason);

    [LoggerMessage(EventId = 5011, Level = LogLevel.Warning, Message = "More than {Limit} forwarded queries in flight for sandbox {SandboxId}; dropping a query")]
    public static partial void TooManyForwards(ILogger logger, int limit, string sandboxId);

    [LoggerMessage(EventId = 5012, Level = LogLevel.Warning, Message = "More than {Limit} TCP connections for sandbox {SandboxId}; closing a new one")]
    public static partial void TooManyTcpConnections(ILogger logger, int limit, string sandboxId);

    [LoggerMessage(EventId = 5013, Level = LogLevel.Error, Message = "DNS server of sandbox {SandboxId} failed on a {Transport} message")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, string sandboxId, string transport);

    [LoggerMessage(EventId = 5014, Level = LogLevel.Debug, Message = "DNS TCP connection from {Client} closed: {Reason}")]
    public static partial void TcpClosed(ILogger logger, string client, string reason);

    [LoggerMessage(EventId = 5015, Level = LogLevel.Information, Message = "DNS server of sandbox {SandboxId} listening on udp {Udp} and tcp {Tcp}")]
    public static partial void Listening(ILogger logger, string sandboxId, string udp, string tcp);
}
