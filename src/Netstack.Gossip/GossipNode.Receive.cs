using System.Net;
using Netstack.Gossip.Membership;
using Netstack.Gossip.Security;
using Netstack.Gossip.Tables;
using Netstack.Gossip.Wire;

namespace Netstack.Gossip;

/// <summary>Receiving: envelope checks, decryption, and dispatch of each message.</summary>
public sealed partial class GossipNode
{
    private void OnReceive(ReadOnlySpan<byte> data, IPEndPoint from, bool stream)
    {
        Counters.Received(data.Length, stream);
        if (data.Length > (stream ? WireFormat.MaxStreamFrame : WireFormat.MaxUdpPacket))
        {
            Counters.Oversized();
            Log.Dropped(_logger, Name, from, "oversized");
            return;
        }
        var opened = _sealer.TryOpen(data, out var body, out var rented);
        if (opened != OpenResult.Ok)
        {
            if (opened == OpenResult.DecryptFailed)
            {
                Counters.DecryptFailed();
            }
            else
            {
                Counters.Malformed();
            }
            Log.Dropped(_logger, Name, from, opened == OpenResult.DecryptFailed ? "decryption failed" : "bad envelope");
            return;
        }
        bool ok;
        try
        {
            lock (_gate)
            {
                if (_stopped)
                {
                    return;
                }
                ok = stream ? HandleStreamLocked(body) : HandleCompoundLocked(body);
            }
        }
        finally
        {
            PacketSealer.Release(rented);
        }
        if (!ok)
        {
            Counters.Malformed();
            Log.Dropped(_logger, Name, from, "malformed message");
        }
        Flush();
    }

    /// <summary>Handles each message of a compound packet; a bad one is skipped, a bad frame ends the packet.</summary>
    private bool HandleCompoundLocked(ReadOnlySpan<byte> body)
    {
        var reader = new WireReader(body);
        var ok = !reader.End;
        while (!reader.End)
        {
            if (!reader.TryReadByte(out var type) || !reader.TryReadUInt16(out var length) || !reader.TryReadSpan(length, out var payload))
            {
                return false;
            }
            var message = new WireReader(payload);
            if (!HandleMessageLocked((MessageType)type, ref message, stream: false) || !message.End)
            {
                ok = false;
            }
        }
        return ok;
    }

    private bool HandleStreamLocked(ReadOnlySpan<byte> body)
    {
        var reader = new WireReader(body);
        if (!reader.TryReadByte(out var type))
        {
            return false;
        }
        return type switch
        {
            (byte)MessageType.Ping or (byte)MessageType.Ack => HandleMessageLocked((MessageType)type, ref reader, stream: true) && reader.End,
            (byte)MessageType.PushPull => HandlePushPullLocked(ref reader),
            (byte)MessageType.User => HandleUserMessageLocked(ref reader),
            _ => false,
        };
    }

    private bool HandleUserMessageLocked(ref WireReader r)
    {
        if (!r.TryReadString(out var from) || !r.TryReadBlob(out var payload) || !r.End || payload.Length > MaxUserMessage)
        {
            return false;
        }
        // The key ring says a member of the cluster sealed it; a name that is not a live member is
        // a node that left or was never here, whose requests nobody should act on.
        if (from == Name || !IsLiveMember(from))
        {
            Log.UserMessageRefused(_logger, Name, from);
            return true;
        }
        _notifications.Enqueue(() => UserMessageReceived?.Invoke(this, new UserMessageEventArgs(from, payload)));
        return true;
    }

    private bool HandleMessageLocked(MessageType type, ref WireReader r, bool stream)
    {
        switch (type)
        {
            case MessageType.Ping:
            {
                if (!r.TryReadUInt32(out var seq) || !r.TryReadString(out var target) || !r.TryReadString(out _) || !r.TryReadEndpoint(out var source))
                {
                    return false;
                }
                HandlePingLocked(seq, target, source, stream);
                return true;
            }
            case MessageType.IndirectPing:
            {
                if (!r.TryReadUInt32(out var seq) || !r.TryReadString(out var target) || !r.TryReadEndpoint(out var targetAddress)
                    || !r.TryReadByte(out var nack) || !r.TryReadEndpoint(out var source))
                {
                    return false;
                }
                HandleIndirectPingLocked(seq, target, targetAddress, nack != 0, source);
                return true;
            }
            case MessageType.Ack:
            case MessageType.Nack:
            {
                if (!r.TryReadUInt32(out var seq))
                {
                    return false;
                }
                HandleAckLocked(seq, type == MessageType.Nack);
                return true;
            }
            case MessageType.Alive:
            {
                if (!r.TryReadUInt32(out var incarnation) || !r.TryReadString(out var name) || !r.TryReadEndpoint(out var address))
                {
                    return false;
                }
                HandleAliveLocked(incarnation, name, address);
                return true;
            }
            case MessageType.Suspect:
            case MessageType.Dead:
            {
                if (!r.TryReadUInt32(out var incarnation) || !r.TryReadString(out var name) || !r.TryReadString(out var from))
                {
                    return false;
                }
                if (type == MessageType.Suspect)
                {
                    HandleSuspectLocked(incarnation, name, from);
                }
                else
                {
                    HandleDeadLocked(incarnation, name, from);
                }
                return true;
            }
            case MessageType.NetworkEvent:
                return Tables.HandleNetworkEventLocked(ref r);
            case MessageType.TableEvent:
                return Tables.HandleTableEventLocked(ref r);
            default:
                return false;
        }
    }

    private bool HandlePushPullLocked(ref WireReader r)
    {
        if (!r.TryReadByte(out var flagByte) || !r.TryReadString(out var fromName) || !r.TryReadEndpoint(out var fromAddress))
        {
            return false;
        }
        var flags = (PushPullFlags)flagByte;
        string? network = null;
        if ((flags & PushPullFlags.TablesOnly) != 0 && !r.TryReadString(out network))
        {
            return false;
        }
        if (!r.TryReadUInt32(out var count) || count > (uint)r.Remaining)
        {
            return false;
        }
        // Parse everything before changing anything, so a bad frame leaves no half-merged state.
        var remote = new List<(string Name, IPEndPoint Address, uint Incarnation, MemberState State)>((int)count);
        for (var i = 0; i < count; i++)
        {
            if (!r.TryReadString(out var name) || !r.TryReadEndpoint(out var address) || !r.TryReadUInt32(out var incarnation)
                || !r.TryReadByte(out var state) || state > (byte)MemberState.Left)
            {
                return false;
            }
            remote.Add((name, address, incarnation, (MemberState)state));
        }
        var tables = NetworkDb.ParseState(ref r);
        if (tables is null || !r.End)
        {
            return false;
        }
        foreach (var (name, address, incarnation, state) in remote)
        {
            switch (state)
            {
                case MemberState.Alive:
                    HandleAliveLocked(incarnation, name, address);
                    break;
                case MemberState.Left:
                    HandleDeadLocked(incarnation, name, name);
                    break;
                default:
                    // A peer's "failed" only makes us suspect: we give the member its own chance to refute.
                    if (!_members.ContainsKey(name))
                    {
                        break;
                    }
                    HandleSuspectLocked(incarnation, name, fromName);
                    break;
            }
        }
        Tables.MergeStateLocked(tables);
        if ((flags & PushPullFlags.Reply) == 0)
        {
            var replyFlags = PushPullFlags.Reply | (flags & PushPullFlags.TablesOnly);
            SendStreamFireAndForget(fromAddress, SealStream(w => EncodePushPull(w, replyFlags, fromName, network)));
        }
        return true;
    }
}
