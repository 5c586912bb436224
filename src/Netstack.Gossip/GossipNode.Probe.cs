using System.Net;
using Netstack.Gossip.Membership;
using Netstack.Gossip.Wire;

namespace Netstack.Gossip;

/// <summary>
/// SWIM failure detection: each probe interval (scaled by Lifeguard health) ping the next member
/// of a shuffled round-robin; after the probe timeout ask k others to ping it (with nacks) and try
/// TCP; a member that acked by the end of the interval is fine, otherwise it becomes suspect.
/// </summary>
public sealed partial class GossipNode
{
    private readonly Dictionary<uint, AckWaiter> _ackWaiters = [];
    private ProbeRound? _probe;
    private int _probeIndex;
    private uint _sequence;

    private void ProbeTick()
    {
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }
            if (_probe is not null)
            {
                FinishProbeLocked(_probe);
                _probe = null;
            }
            StartProbeLocked();
            // The next tick is also this probe's deadline, so the round lasts one scaled interval.
            _probeTimer!.Change(_awareness.Scale(_options.ProbeInterval), Timeout.InfiniteTimeSpan);
        }
        Flush();
    }

    private void StartProbeLocked()
    {
        var target = NextProbeTargetLocked();
        if (target is null)
        {
            return;
        }
        var seq = ++_sequence;
        var round = new ProbeRound(target, target.Incarnation, seq, _time.GetTimestamp(), _awareness.Scale(_options.ProbeTimeout));
        _probe = round;
        _ackWaiters[seq] = round;
        var w = _scratch;
        w.Reset();
        Messages.Ping(w, seq, target.Name, Name, Address, stream: false);
        if (target.State == MemberState.Suspect)
        {
            // Lifeguard's buddy system: tell a suspect directly, so it can refute at once
            // instead of waiting for the rumour to reach it.
            w.WriteBytes(Messages.Accusation(MessageType.Suspect, target.Incarnation, target.Name, Name));
        }
        SendMessageLocked(target.Address, target.Name, w.WrittenSpan);
        _probeTimeoutTimer!.Change(round.Timeout, Timeout.InfiniteTimeSpan);
    }

    private Member? NextProbeTargetLocked()
    {
        for (var checkedCount = 0; checkedCount <= _rotation.Count; checkedCount++)
        {
            if (_probeIndex >= _rotation.Count)
            {
                ResetRotationLocked();
                if (_rotation.Count == 0)
                {
                    return null;
                }
            }
            var candidate = _rotation[_probeIndex++];
            if (candidate.IsAliveOrSuspect)
            {
                return candidate;
            }
        }
        return null;
    }

    /// <summary>End of a pass: drop members dead for longer than gossip-to-the-dead, then reshuffle.</summary>
    private void ResetRotationLocked()
    {
        var now = _time.GetUtcNow();
        _rotation.RemoveAll(m =>
        {
            var drop = !m.IsAliveOrSuspect && now - m.Since > _options.GossipToTheDeadTime;
            if (drop)
            {
                m.InRotation = false;
            }
            return drop;
        });
        for (var i = _rotation.Count - 1; i > 0; i--)
        {
            var j = _random.Next(i + 1);
            (_rotation[i], _rotation[j]) = (_rotation[j], _rotation[i]);
        }
        _probeIndex = 0;
    }

    private void ProbeTimeoutTick()
    {
        lock (_gate)
        {
            var round = _probe;
            if (_stopped || round is null || round.Acked)
            {
                return;
            }
            var target = round.Target;
            var helpers = RandomMembersLocked(_options.IndirectChecks, m => m.State == MemberState.Alive && m != target);
            foreach (var helper in helpers)
            {
                var w = _scratch;
                w.Reset();
                Messages.IndirectPing(w, round.Sequence, target.Name, target.Address, wantNack: true, Address);
                SendMessageLocked(helper, w.WrittenSpan);
            }
            round.ExpectedNacks = helpers.Count;
            if (_options.TcpFallbackProbe)
            {
                var frame = SealStream(w => Messages.Ping(w, round.Sequence, target.Name, Name, Address, stream: true));
                SendStreamFireAndForget(target.Address, frame);
            }
        }
        Flush();
    }

    private void FinishProbeLocked(ProbeRound round)
    {
        _ackWaiters.Remove(round.Sequence);
        if (round.Acked)
        {
            // Lifeguard: only a timely direct ack counts as proof of our own health.
            _awareness.Apply(round.DirectAck ? -1 : 0);
            return;
        }
        // With helpers, missing nacks point at us (they could not even answer us); without
        // helpers any failed probe counts against our health.
        var delta = round.ExpectedNacks > 0 ? Math.Max(0, round.ExpectedNacks - round.Nacks) : 1;
        _awareness.Apply(delta);
        var target = round.Target;
        if (target.IsAliveOrSuspect && target.Incarnation == round.Incarnation)
        {
            Log.ProbeFailed(_logger, Name, target.Name);
            HandleSuspectLocked(round.Incarnation, target.Name, Name);
        }
    }

    private void SendPingLocked(IPEndPoint to, uint seq, string targetName)
    {
        var w = _scratch;
        w.Reset();
        Messages.Ping(w, seq, targetName, Name, Address, stream: false);
        SendMessageLocked(to, targetName, w.WrittenSpan);
    }

    private void HandlePingLocked(uint seq, string target, IPEndPoint source, bool stream)
    {
        // A ping meant for another name reached us (address reuse after a restart): stay silent.
        if (target != Name)
        {
            return;
        }
        if (stream)
        {
            var frame = SealStream(w => Messages.Ack(w, MessageType.Ack, seq, stream: true));
            SendStreamFireAndForget(source, frame);
            return;
        }
        var writer = _scratch;
        writer.Reset();
        Messages.Ack(writer, MessageType.Ack, seq, stream: false);
        SendMessageLocked(source, FindName(source), writer.WrittenSpan);
    }

    private void HandleIndirectPingLocked(uint seq, string target, IPEndPoint targetAddress, bool wantNack, IPEndPoint source)
    {
        var relaySeq = ++_sequence;
        var relay = new IndirectRelay(this, seq, source, wantNack, relaySeq);
        _ackWaiters[relaySeq] = relay;
        relay.Timer = _time.CreateTimer(static s => ((IndirectRelay)s!).TimedOut(), relay, _options.ProbeTimeout, Timeout.InfiniteTimeSpan);
        SendPingLocked(targetAddress, relaySeq, target);
    }

    private void HandleAckLocked(uint seq, bool nack)
    {
        if (!_ackWaiters.TryGetValue(seq, out var waiter))
        {
            return;
        }
        if (nack)
        {
            waiter.OnNack();
        }
        else
        {
            waiter.OnAck(_time);
        }
    }

    private void SendAckToLocked(IPEndPoint to, MessageType type, uint seq)
    {
        var w = _scratch;
        w.Reset();
        Messages.Ack(w, type, seq, stream: false);
        SendMessageLocked(to, FindName(to), w.WrittenSpan);
    }

    private void DisposeAckWaitersLocked()
    {
        foreach (var waiter in _ackWaiters.Values)
        {
            (waiter as IndirectRelay)?.Timer?.Dispose();
        }
        _ackWaiters.Clear();
        _probe = null;
    }

    private abstract class AckWaiter
    {
        public abstract void OnAck(TimeProvider time);

        public virtual void OnNack()
        {
        }
    }

    private sealed class ProbeRound(Member target, uint incarnation, uint sequence, long started, TimeSpan timeout) : AckWaiter
    {
        public Member Target { get; } = target;

        public uint Incarnation { get; } = incarnation;

        public uint Sequence { get; } = sequence;

        public TimeSpan Timeout { get; } = timeout;

        public bool Acked { get; private set; }

        public bool DirectAck { get; private set; }

        public int ExpectedNacks { get; set; }

        public int Nacks { get; private set; }

        public override void OnAck(TimeProvider time)
        {
            if (!Acked)
            {
                Acked = true;
                DirectAck = time.GetElapsedTime(started) <= Timeout;
            }
        }

        public override void OnNack() => Nacks++;
    }

    /// <summary>We ping a target for someone else and report back an ack, or a nack on timeout.</summary>
    private sealed class IndirectRelay(GossipNode node, uint originalSeq, IPEndPoint requester, bool wantNack, uint relaySeq) : AckWaiter
    {
        public ITimer? Timer { get; set; }

        public override void OnAck(TimeProvider time)
        {
            node._ackWaiters.Remove(relaySeq);
            Timer?.Dispose();
            node.SendAckToLocked(requester, MessageType.Ack, originalSeq);
        }

        public void TimedOut()
        {
            lock (node._gate)
            {
                Timer?.Dispose();
                if (node._stopped || !node._ackWaiters.Remove(relaySeq))
                {
                    return;
                }
                if (wantNack)
                {
                    node.SendAckToLocked(requester, MessageType.Nack, originalSeq);
                }
            }
        }
    }
}
