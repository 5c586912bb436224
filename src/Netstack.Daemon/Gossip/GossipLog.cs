using System.Net;

namespace Netstack.Daemon.Gossip;

/// <summary>The daemon's cluster log messages; event ids 4xxx (the gossip library's own are 7xxx).</summary>
internal static partial class GossipLog
{
    [LoggerMessage(4000, LogLevel.Information, "gossip: node {Node} listening on {Listen}, advertising {Advertise} ({Encryption})")]
    public static partial void Started(ILogger logger, string node, IPEndPoint listen, IPEndPoint advertise, string encryption);

    [LoggerMessage(4001, LogLevel.Information, "gossip: node {Member} ({Address}) joined the cluster")]
    public static partial void NodeJoined(ILogger logger, string member, IPEndPoint address);

    [LoggerMessage(4002, LogLevel.Information, "gossip: node {Member} ({Address}) left the cluster")]
    public static partial void NodeLeft(ILogger logger, string member, IPEndPoint address);

    [LoggerMessage(4003, LogLevel.Warning, "gossip: node {Member} ({Address}) failed")]
    public static partial void NodeFailed(ILogger logger, string member, IPEndPoint address);

    [LoggerMessage(4004, LogLevel.Information, "gossip: joined the cluster through {Peers}; {Alive} nodes alive")]
    public static partial void Joined(ILogger logger, string peers, int alive);

    [LoggerMessage(4005, LogLevel.Warning, "gossip: no peer of {Peers} reachable over TCP; retrying in {DelaySeconds} s")]
    public static partial void JoinUnreachable(ILogger logger, string peers, double delaySeconds);

    [LoggerMessage(4006, LogLevel.Error, "gossip: reached {Reached} peer(s) of {Peers} over TCP but none accepted this node: they drop its packets, most likely because --gossip-key-file does not hold the cluster's key ({Encryption} here); retrying in {DelaySeconds} s")]
    public static partial void JoinNotAccepted(ILogger logger, int reached, string peers, string encryption, double delaySeconds);

    [LoggerMessage(4007, LogLevel.Warning, "gossip: no other node is alive; joining {Peers} again")]
    public static partial void Isolated(ILogger logger, string peers);

    [LoggerMessage(4008, LogLevel.Information, "gossip: leaving the cluster")]
    public static partial void Leaving(ILogger logger);

    [LoggerMessage(4009, LogLevel.Warning, "gossip: join attempt failed")]
    public static partial void JoinFault(ILogger logger, Exception exception);

    [LoggerMessage(4010, LogLevel.Warning, "gossip: skipped an unreadable line of the known-peers file {Path}: \"{Line}\"")]
    public static partial void KnownPeerSkipped(ILogger logger, string path, string line);

    [LoggerMessage(4011, LogLevel.Warning, "gossip: cannot write the known-peers file {Path}")]
    public static partial void KnownPeersWriteFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(4012, LogLevel.Information, "gossip: {Count} peer(s) known from the last run ({Path}) added to the join list")]
    public static partial void KnownPeersLoaded(ILogger logger, int count, string path);
}
