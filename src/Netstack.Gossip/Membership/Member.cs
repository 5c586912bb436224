using System.Net;

namespace Netstack.Gossip.Membership;

/// <summary>This node's mutable record of one member (guarded by the node's lock).</summary>
internal sealed class Member
{
    public Member(string name, IPEndPoint address, uint incarnation, MemberState state, DateTimeOffset since)
    {
        Name = name;
        Address = address;
        Incarnation = incarnation;
        State = state;
        Since = since;
    }

    public string Name { get; }

    public IPEndPoint Address { get; set; }

    public uint Incarnation { get; set; }

    public MemberState State { get; set; }

    public DateTimeOffset Since { get; set; }

    /// <summary>Running suspicion while <see cref="State"/> is Suspect.</summary>
    public Suspicion? Suspicion { get; set; }

    /// <summary>Whether the member is in the probe/gossip rotation.</summary>
    public bool InRotation { get; set; }

    public bool IsAliveOrSuspect => State is MemberState.Alive or MemberState.Suspect;

    public MemberInfo ToInfo() => new(Name, Address, State, Since, Incarnation);
}
