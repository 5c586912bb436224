using System.Net;
using Microsoft.Extensions.Logging;

namespace Netstack.Gossip;

/// <summary>Source-generated log messages; event ids 7000-7099 belong to gossip.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 7000, Level = LogLevel.Information, Message = "gossip node {Node} started on {Address}")]
    public static partial void Started(ILogger logger, string node, IPEndPoint address);

    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "{Node}: member {Member} joined from {Address}")]
    public static partial void MemberJoined(ILogger logger, string node, string member, IPEndPoint address);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Information, Message = "{Node}: member {Member} left")]
    public static partial void MemberLeft(ILogger logger, string node, string member);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Warning, Message = "{Node}: member {Member} failed")]
    public static partial void MemberFailed(ILogger logger, string node, string member);

    [LoggerMessage(EventId = 7004, Level = LogLevel.Debug, Message = "{Node}: member {Member} suspected by {From}")]
    public static partial void MemberSuspect(ILogger logger, string node, string member, string from);

    [LoggerMessage(EventId = 7005, Level = LogLevel.Debug, Message = "{Node}: probe of {Member} failed")]
    public static partial void ProbeFailed(ILogger logger, string node, string member);

    [LoggerMessage(EventId = 7006, Level = LogLevel.Information, Message = "{Node}: refuted suspicion, incarnation now {Incarnation}")]
    public static partial void Refuted(ILogger logger, string node, uint incarnation);

    [LoggerMessage(EventId = 7007, Level = LogLevel.Debug, Message = "{Node}: dropped packet from {From}: {Reason}")]
    public static partial void Dropped(ILogger logger, string node, IPEndPoint from, string reason);

    [LoggerMessage(EventId = 7008, Level = LogLevel.Warning, Message = "{Node}: could not reach {Peer} to join")]
    public static partial void JoinFailed(ILogger logger, string node, IPEndPoint peer);

    [LoggerMessage(EventId = 7009, Level = LogLevel.Debug, Message = "{Node}: TCP exchange with {Peer} failed")]
    public static partial void StreamFailed(ILogger logger, string node, IPEndPoint peer);

    [LoggerMessage(EventId = 7010, Level = LogLevel.Warning, Message = "{Node}: leave message not sent before the timeout")]
    public static partial void LeaveTimedOut(ILogger logger, string node);

    [LoggerMessage(EventId = 7011, Level = LogLevel.Error, Message = "{Node}: an event subscriber threw")]
    public static partial void SubscriberFailed(ILogger logger, string node, Exception exception);

    [LoggerMessage(EventId = 7012, Level = LogLevel.Warning, Message = "gossip transport on {Address}: receive failed")]
    public static partial void ReceiveFailed(ILogger logger, IPEndPoint address, Exception exception);

    [LoggerMessage(EventId = 7013, Level = LogLevel.Debug, Message = "{Node}: user message from {From} dropped: it is not a live member")]
    public static partial void UserMessageRefused(ILogger logger, string node, string from);
}
