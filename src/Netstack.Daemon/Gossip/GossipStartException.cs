namespace Netstack.Daemon.Gossip;

/// <summary>The gossip node could not start (its port is taken, its address is not on this host): netstackd stops with this message.</summary>
public sealed class GossipStartException : Exception
{
    public GossipStartException()
    {
    }

    public GossipStartException(string message)
        : base(message)
    {
    }

    public GossipStartException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
