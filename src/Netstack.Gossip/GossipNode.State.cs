using System.Net;
using Netstack.Gossip.Membership;
using Netstack.Gossip.Wire;

namespace Netstack.Gossip;

/// <summary>SWIM state transitions: alive, suspect, dead, refutation by incarnation.</summary>
public sealed partial class GossipNode
{
    private void HandleAliveLocked(uint incarnation, string name, IPEndPoint address)
    {
        if (name == _self.Name)
        {
            // Someone carries a newer incarnation of us than we have (we restarted): outbid it.
            if (incarnation > _self.Incarnation && _self.State == MemberState.Alive)
            {
                RefuteLocked(incarnation);
            }
            return;
        }
        var now = _time.GetUtcNow();
        if (!_members.TryGetValue(name, out var member))
        {
            member = new Member(name, address, incarnation, MemberState.Alive, now);
            _members[name] = member;
            _liveCount = -1;
            IndexAddressLocked(member);
            AddToRotationLocked(member);
            _broadcasts.Enqueue(Subject(name), Messages.Alive(incarnation, name, address));
            RaiseMember(MemberEventKind.Joined, member);
            Tables.OnMemberAliveLocked(name, returned: false);
            return;
        }
        if (incarnation <= member.Incarnation)
        {
            return;
        }
        var was = member.State;
        member.Incarnation = incarnation;
        if (!member.Address.Equals(address))
        {
            _byAddress.Remove(member.Address);
            member.Address = address;
            IndexAddressLocked(member);
        }
        if (was != MemberState.Alive)
        {
            member.Suspicion?.Dispose();
            member.Suspicion = null;
            member.State = MemberState.Alive;
            _liveCount = -1;
            member.Since = now;
            AddToRotationLocked(member);
        }
        _broadcasts.Enqueue(Subject(name), Messages.Alive(incarnation, name, address));
        if (was is MemberState.Failed or MemberState.Left)
        {
            RaiseMember(MemberEventKind.Joined, member);
            Tables.OnMemberAliveLocked(name, returned: was == MemberState.Failed);
        }
    }

    private void HandleSuspectLocked(uint incarnation, string name, string from)
    {
        if (!_members.TryGetValue(name, out var member) || incarnation < member.Incarnation)
        {
            return;
        }
        if (name == _self.Name)
        {
            if (_self.State == MemberState.Alive)
            {
                RefuteLocked(incarnation);
            }
            return;
        }
        if (member.State == MemberState.Suspect)
        {
            // An independent confirmation shortens the timer; pass it on so others count it too.
            if (member.Suspicion is not null && member.Suspicion.Confirm(from))
            {
                _broadcasts.Enqueue(Subject(name), Messages.Accusation(MessageType.Suspect, incarnation, name, from));
            }
            return;
        }
        if (member.State != MemberState.Alive)
        {
            return;
        }
        member.Incarnation = incarnation;
        member.State = MemberState.Suspect;
        member.Since = _time.GetUtcNow();
        var n = LiveMemberCount();
        var min = Suspicion.MinTimeout(_options.SuspicionMultiplier, n, _options.ProbeInterval);
        var max = min * _options.SuspicionMaxTimeoutMultiplier;
        // Lifeguard expects multiplier - 2 independent confirmations, if the cluster has that many.
        var expected = _options.SuspicionMultiplier - 2;
        if (n - 2 < expected)
        {
            expected = 0;
        }
        member.Suspicion = new Suspicion(_time, from, expected, min, max, () => OnSuspicionTimeout(name, incarnation));
        _broadcasts.Enqueue(Subject(name), Messages.Accusation(MessageType.Suspect, incarnation, name, from));
        Log.MemberSuspect(_logger, Name, name, from);
    }

    private void OnSuspicionTimeout(string name, uint incarnation)
    {
        lock (_gate)
        {
            if (_stopped || !_members.TryGetValue(name, out var member)
                || member.State != MemberState.Suspect || member.Incarnation != incarnation)
            {
                return;
            }
            HandleDeadLocked(incarnation, name, _self.Name);
        }
        Flush();
    }

    private void HandleDeadLocked(uint incarnation, string name, string from)
    {
        if (!_members.TryGetValue(name, out var member) || incarnation < member.Incarnation)
        {
            return;
        }
        var leaving = from == name;
        if (member.State == MemberState.Left || (member.State == MemberState.Failed && !leaving))
        {
            return;
        }
        if (name == _self.Name)
        {
            // Our own leave comes back to us with State already Left; anything else is stale news
            // (a previous life of ours left or failed) and gets refuted.
            if (_self.State == MemberState.Alive)
            {
                RefuteLocked(incarnation);
            }
            return;
        }
        member.Suspicion?.Dispose();
        member.Suspicion = null;
        member.Incarnation = incarnation;
        member.State = leaving ? MemberState.Left : MemberState.Failed;
        _liveCount = -1;
        member.Since = _time.GetUtcNow();
        _broadcasts.Enqueue(Subject(name), Messages.Accusation(MessageType.Dead, incarnation, name, from));
        if (leaving)
        {
            RaiseMember(MemberEventKind.Left, member);
            Tables.OnMemberLeftLocked(name);
        }
        else
        {
            RaiseMember(MemberEventKind.Failed, member);
            Tables.OnMemberFailedLocked(name);
        }
    }

    /// <summary>Someone suspects us or thinks us dead: bump our incarnation past theirs and say so.</summary>
    private void RefuteLocked(uint accusedIncarnation)
    {
        _self.Incarnation = Math.Max(accusedIncarnation, _self.Incarnation) + 1;
        _broadcasts.Enqueue(Subject(Name), Messages.Alive(_self.Incarnation, Name, Address));
        // Lifeguard: being suspected is a hint that we are the slow one.
        _awareness.Apply(1);
        Log.Refuted(_logger, Name, _self.Incarnation);
    }

    private void AddToRotationLocked(Member member)
    {
        if (member.InRotation)
        {
            return;
        }
        member.InRotation = true;
        // A random position keeps a newcomer from being probed by everyone at once.
        _rotation.Insert(_random.Next(_rotation.Count + 1), member);
    }

    /// <summary>Up to <paramref name="count"/> distinct random members from the rotation that pass the filter.</summary>
    private List<Member> RandomMembersLocked(int count, Func<Member, bool> filter)
    {
        var picked = new List<Member>(count);
        var n = _rotation.Count;
        // Like memberlist's kRandomNodes: bounded random tries, so a mostly-dead list cannot spin.
        for (var tries = 0; tries < 3 * n && picked.Count < count; tries++)
        {
            var candidate = _rotation[_random.Next(n)];
            if (filter(candidate) && !picked.Contains(candidate))
            {
                picked.Add(candidate);
            }
        }
        return picked;
    }
}
