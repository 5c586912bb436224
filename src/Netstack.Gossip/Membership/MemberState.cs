namespace Netstack.Gossip.Membership;

/// <summary>What this node believes about a member (SWIM states; Left is a graceful leave).</summary>
public enum MemberState : byte
{
    Alive = 0,
    Suspect = 1,
    Failed = 2,
    Left = 3,
}
