using System.Net;
using Netstack.Gossip.Broadcast;
using Netstack.Gossip.Membership;
using Netstack.Gossip.Wire;

namespace Netstack.Gossip;

/// <summary>Dissemination: compound UDP packets with piggybacked broadcasts, gossip rounds, streams.</summary>
public sealed partial class GossipNode
{
    private readonly WireWriter _scratch = new(256);
    private readonly WireWriter _packet = new(WireFormat.MaxUdpPacket);
    private readonly List<byte[]> _piggyback = [];
    private readonly Dictionary<IPEndPoint, Member> _byAddress = [];

    private void GossipTick()
    {
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }
            GossipRoundLocked();
        }
        Flush();
    }

    /// <summary>Sends queued broadcasts to a few random members, dead ones included for a while so they can refute.</summary>
    private void GossipRoundLocked()
    {
        if (_broadcasts.Count == 0)
        {
            return;
        }
        var now = _time.GetUtcNow();
        var targets = RandomMembersLocked(_options.GossipNodes, m =>
            m.IsAliveOrSuspect || (m.State == MemberState.Failed && now - m.Since <= _options.GossipToTheDeadTime));
        foreach (var target in targets)
        {
            if (_broadcasts.Count == 0)
            {
                return;
            }
            SendMessageLocked(target.Address, target.Name, ReadOnlySpan<byte>.Empty);
        }
    }

    private void SendMessageLocked(Member to, ReadOnlySpan<byte> message) => SendMessageLocked(to.Address, to.Name, message);

    /// <summary>
    /// Sends <paramref name="message"/> (may be empty) in one compound packet, filling the rest of
    /// the packet with queued broadcasts the receiver may get. Nothing is sent when both are empty.
    /// </summary>
    private void SendMessageLocked(IPEndPoint to, string? toName, ReadOnlySpan<byte> message)
    {
        var budget = WireFormat.MaxUdpPacket - _sealer.Overhead - message.Length;
        _piggyback.Clear();
        _broadcasts.Fill(_piggyback, budget,
            network => toName is not null && Tables.IsNodeInNetworkLocked(toName, network),
            network => BroadcastQueue.RetransmitLimit(_options.RetransmitMultiplier,
                network is null ? LiveMemberCount() : Tables.NetworkSizeLocked(network)));
        if (message.IsEmpty && _piggyback.Count == 0)
        {
            return;
        }
        var body = _packet;
        body.Reset();
        body.WriteBytes(message);
        foreach (var item in _piggyback)
        {
            body.WriteBytes(item);
        }
        _piggyback.Clear();
        var packet = _sealer.Seal(body.WrittenSpan);
        Counters.Sent(packet.Length, stream: false);
        _transport.SendPacket(to, packet);
    }

    private string? FindName(IPEndPoint address) => _byAddress.TryGetValue(address, out var m) ? m.Name : null;

    private void IndexAddressLocked(Member member) => _byAddress[member.Address] = member;

    /// <summary>Builds and seals a stream body (type + payload, no length: see <see cref="WireFormat"/>).</summary>
    private byte[] SealStream(Action<WireWriter> write)
    {
        var w = new WireWriter(512);
        write(w);
        return _sealer.Seal(w.WrittenSpan);
    }

    private void SendStreamFireAndForget(IPEndPoint to, byte[] frame)
    {
        var send = _transport.SendStreamAsync(to, frame, CancellationToken.None);
        if (send.IsCompletedSuccessfully)
        {
            // Bytes count only when they left: a refused connection sends none.
            if (send.Result)
            {
                Counters.Sent(frame.Length, stream: true);
            }
            return;
        }
        _ = send.ContinueWith(
            static (t, s) =>
            {
                var (node, peer, length) = ((GossipNode, IPEndPoint, int))s!;
                if (t.IsCompletedSuccessfully && t.Result)
                {
                    node.Counters.Sent(length, stream: true);
                }
                else
                {
                    Log.StreamFailed(node._logger, node.Name, peer);
                }
            },
            (this, to, frame.Length), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private void PushPullTick()
    {
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }
            var live = LiveMemberCount();
            var peer = RandomMembersLocked(1, m => m.State == MemberState.Alive);
            if (peer.Count == 1)
            {
                SendStreamFireAndForget(peer[0].Address, SealStream(w => EncodePushPull(w, PushPullFlags.None, peer[0].Name)));
            }
            // Like serf's reconnect: also try one failed member, so the halves of a healed
            // partition find each other after gossip to the dead has stopped.
            var failed = RandomFailedMemberLocked();
            if (failed is not null)
            {
                SendStreamFireAndForget(failed.Address, SealStream(w => EncodePushPull(w, PushPullFlags.None, failed.Name)));
            }
            _pushPullTimer!.Change(PushPullScale(_options.PushPullInterval, live), Timeout.InfiniteTimeSpan);
        }
        Flush();
    }

    private Member? RandomFailedMemberLocked()
    {
        Member? chosen = null;
        var seen = 0;
        foreach (var m in _members.Values)
        {
            // Reservoir sampling: one pass, uniform choice.
            if (m.State == MemberState.Failed && _random.Next(++seen) == 0)
            {
                chosen = m;
            }
        }
        return chosen;
    }

    /// <summary>memberlist's pushPullScale: beyond 32 members the interval grows with log2(n/32) + 1.</summary>
    internal static TimeSpan PushPullScale(TimeSpan interval, int members)
    {
        const int threshold = 32;
        if (members <= threshold)
        {
            return interval;
        }
        var multiplier = Math.Ceiling(Math.Log2(members) - Math.Log2(threshold)) + 1.0;
        return interval * multiplier;
    }

    private void EncodePushPull(WireWriter w, PushPullFlags flags, string? peerName, string? network = null)
    {
        w.WriteByte((byte)MessageType.PushPull);
        w.WriteByte((byte)flags);
        w.WriteString(Name);
        w.WriteEndpoint(Address);
        if ((flags & PushPullFlags.TablesOnly) != 0)
        {
            // A table sync is about one network: its memberships and entries, no member list.
            w.WriteString(network!);
            w.WriteUInt32(0);
        }
        else
        {
            w.WriteUInt32((uint)_members.Count);
            foreach (var m in _members.Values)
            {
                w.WriteString(m.Name);
                w.WriteEndpoint(m.Address);
                w.WriteUInt32(m.Incarnation);
                w.WriteByte((byte)m.State);
            }
        }
        Tables.EncodeStateLocked(w, peerName, network);
    }

    /// <summary>Sends a tables-only push/pull about one network to a member of it (networkdb's bulk sync).</summary>
    internal void SendTableSyncLocked(string peerName, string network)
    {
        if (_members.TryGetValue(peerName, out var peer))
        {
            SendStreamFireAndForget(peer.Address, SealStream(w => EncodePushPull(w, PushPullFlags.TablesOnly, peerName, network)));
        }
    }

    private void MaintenanceTick()
    {
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }
            var now = _time.GetUtcNow();
            List<Member>? reaped = null;
            foreach (var m in _members.Values)
            {
                if (m.State is MemberState.Failed or MemberState.Left && now - m.Since > _options.FailedNodeReapTime)
                {
                    (reaped ??= []).Add(m);
                }
            }
            if (reaped is not null)
            {
                foreach (var m in reaped)
                {
                    _members.Remove(m.Name);
                    _liveCount = -1;
                    _byAddress.Remove(m.Address);
                    if (m.InRotation)
                    {
                        _rotation.Remove(m);
                        m.InRotation = false;
                        _probeIndex = Math.Min(_probeIndex, _rotation.Count);
                    }
                    Tables.OnMemberReapedLocked(m.Name);
                }
            }
            Tables.MaintenanceLocked();
        }
        Flush();
    }

    [Flags]
    private enum PushPullFlags : byte
    {
        None = 0,
        Join = 1,
        Reply = 2,
        TablesOnly = 4,
    }
}
