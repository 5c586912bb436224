namespace Netstack.Gossip.Membership;

/// <summary>Kinds of membership change raised by <see cref="GossipNode.MemberChanged"/>.</summary>
public enum MemberEventKind
{
    /// <summary>A member appeared, or came back after failing or leaving.</summary>
    Joined,

    /// <summary>A member left gracefully.</summary>
    Left,

    /// <summary>A member was declared failed (its suspicion timed out, or a peer said so).</summary>
    Failed,
}

/// <summary>A membership change.</summary>
public sealed class MemberEventArgs(MemberEventKind kind, MemberInfo member) : EventArgs
{
    public MemberEventKind Kind { get; } = kind;

    public MemberInfo Member { get; } = member;
}
