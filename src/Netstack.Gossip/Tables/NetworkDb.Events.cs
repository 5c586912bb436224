using System.Text;
using Netstack.Gossip.Membership;
using Netstack.Gossip.Wire;

namespace Netstack.Gossip.Tables;

/// <summary>Network and table events: encoding, gossip, and applying what peers send.</summary>
public sealed partial class NetworkDb
{
    private const byte NetworkJoin = 1;
    private const byte NetworkLeave = 2;

    internal bool HandleNetworkEventLocked(ref WireReader r)
    {
        if (!r.TryReadByte(out var kind) || kind is not (NetworkJoin or NetworkLeave) || !r.TryReadUInt64(out var lamport)
            || !r.TryReadString(out var node) || !r.TryReadString(out var network))
        {
            return false;
        }
        if (ApplyMembershipLocked(node, network, lamport, kind == NetworkLeave))
        {
            BroadcastNetworkEventLocked(node, network, lamport, kind == NetworkLeave);
        }
        return true;
    }

    internal bool HandleTableEventLocked(ref WireReader r)
    {
        if (!r.TryReadByte(out var kind) || kind is < 1 or > 3 || !r.TryReadUInt64(out var lamport) || !r.TryReadString(out var owner)
            || !r.TryReadString(out var network) || !r.TryReadString(out var table) || !r.TryReadString(out var key)
            || !r.TryReadBlob(out var value))
        {
            return false;
        }
        var eventKind = (TableEventKind)(kind - 1);
        var applied = ApplyEntryLocked(network, table, key, owner, lamport, eventKind == TableEventKind.Delete, value, _node.Options.TombstoneReapTime);
        if (applied is not null)
        {
            // Pass it on, as networkdb re-broadcasts every event it accepted.
            BroadcastEntryLocked(eventKind, applied);
        }
        return true;
    }

    /// <summary>
    /// Applies a node's network membership if it is newer than what we have. Returns whether it
    /// changed anything. A node leaving a network takes its entries with it.
    /// </summary>
    private bool ApplyMembershipLocked(string node, string network, ulong lamport, bool leaving)
    {
        _networkClock.Witness(lamport);
        if (node == Self)
        {
            // News about our own membership from a previous life: re-announce the truth, later.
            var known = _nodeNetworks.TryGetValue(Self, out var mine) && mine.TryGetValue(network, out var record) ? record : null;
            if (known is null || lamport > known.Lamport)
            {
                var inNetwork = _networks.ContainsKey(network);
                var fresh = _networkClock.Increment();
                SetMembershipLocked(Self, network, fresh, leaving: !inNetwork);
                BroadcastNetworkEventLocked(Self, network, fresh, leaving: !inNetwork);
            }
            return false;
        }
        if (_nodeNetworks.TryGetValue(node, out var networks) && networks.TryGetValue(network, out var existing) && existing.Lamport >= lamport)
        {
            return false;
        }
        if (_node.StateOf(node) == MemberState.Left)
        {
            return false;
        }
        SetMembershipLocked(node, network, lamport, leaving);
        if (leaving)
        {
            RemoveOwnerEntriesLocked(node, network);
        }
        return true;
    }

    private void SetMembershipLocked(string node, string network, ulong lamport, bool leaving)
    {
        if (!_nodeNetworks.TryGetValue(node, out var networks))
        {
            networks = new Dictionary<string, NodeNetwork>(StringComparer.Ordinal);
            _nodeNetworks[node] = networks;
        }
        networks[network] = new NodeNetwork(lamport, leaving, _node.Time.GetUtcNow());
        if (!_networkMembers.TryGetValue(network, out var members))
        {
            members = new HashSet<string>(StringComparer.Ordinal);
            _networkMembers[network] = members;
        }
        if (leaving)
        {
            members.Remove(node);
        }
        else
        {
            members.Add(node);
        }
    }

    /// <summary>
    /// Applies an entry change if it is newer than ours (last writer wins). Returns the stored
    /// entry when it changed, null when ignored.
    /// </summary>
    private StoredEntry? ApplyEntryLocked(string network, string table, string key, string owner, ulong lamport, bool deleted, byte[] value, TimeSpan keepTombstoneFor)
    {
        _tableClock.Witness(lamport);
        if (!_networks.TryGetValue(network, out var entries))
        {
            return null;
        }
        entries.TryGetValue((table, key), out var existing);
        if (owner == Self)
        {
            ReassertOwnLocked(entries, existing, network, table, key, lamport, deleted);
            return null;
        }
        if (existing is not null && !existing.IsOlderThan(lamport, owner))
        {
            return null;
        }
        var ownerState = _node.StateOf(owner);
        if (!deleted && (ownerState == MemberState.Left
            || (_nodeNetworks.TryGetValue(owner, out var ownerNetworks) && ownerNetworks.TryGetValue(network, out var membership) && membership.Leaving)))
        {
            // The owner is gone from the cluster or the network: its entries must not come back.
            return null;
        }
        var wasLive = existing is not null && existing.Live;
        var entry = existing ?? new StoredEntry(network, table, key, value, owner, lamport);
        entries[(table, key)] = entry;
        entry.Owner = owner;
        entry.Lamport = lamport;
        if (deleted)
        {
            // Keep the last value so subscribers know what to undo.
            if (existing is null)
            {
                entry.Value = value;
            }
            entry.Suspended = false;
            TombstoneLocked(entry, lamport, keepTombstoneFor);
            if (wasLive)
            {
                NotifyLocked(TableEventKind.Delete, entry, suspended: false);
            }
            return entry;
        }
        entry.Value = value;
        entry.Deleted = false;
        entry.Suspended = ownerState == MemberState.Failed;
        if (entry.Live)
        {
            NotifyLocked(wasLive ? TableEventKind.Update : TableEventKind.Create, entry, suspended: false);
        }
        else if (wasLive)
        {
            NotifyLocked(TableEventKind.Delete, entry, suspended: true);
        }
        return entry;
    }

    /// <summary>
    /// Someone holds a version of our own entry that is newer than ours: a previous life of this
    /// node wrote it. We are the owner, so we win it back: our live entry is re-announced with a
    /// later time, and one we do not have is deleted.
    /// </summary>
    private void ReassertOwnLocked(Dictionary<(string Table, string Key), StoredEntry> entries, StoredEntry? existing,
        string network, string table, string key, ulong lamport, bool deleted)
    {
        if (existing is not null && existing.Lamport >= lamport)
        {
            return;
        }
        if (existing is not null && !existing.Deleted)
        {
            existing.Lamport = _tableClock.Increment();
            BroadcastEntryLocked(TableEventKind.Update, existing);
            return;
        }
        if (deleted && existing is null)
        {
            return;
        }
        var tombstone = existing ?? new StoredEntry(network, table, key, [], Self, lamport);
        entries[(table, key)] = tombstone;
        TombstoneLocked(tombstone, _tableClock.Increment(), _node.Options.TombstoneReapTime);
        BroadcastEntryLocked(TableEventKind.Delete, tombstone);
    }

    private void RemoveOwnerEntriesLocked(string owner, string? network)
    {
        foreach (var (name, entries) in _networks)
        {
            if (network is not null && name != network)
            {
                continue;
            }
            List<(string, string)>? doomed = null;
            foreach (var (k, entry) in entries)
            {
                if (entry.Owner == owner)
                {
                    (doomed ??= []).Add(k);
                    if (entry.Live)
                    {
                        NotifyLocked(TableEventKind.Delete, entry, suspended: false);
                    }
                }
            }
            if (doomed is not null)
            {
                foreach (var k in doomed)
                {
                    entries.Remove(k);
                }
            }
        }
    }

    private void BroadcastNetworkEventLocked(string node, string network, ulong lamport, bool leaving)
    {
        var w = new WireWriter(64);
        var at = w.BeginMessage(MessageType.NetworkEvent);
        w.WriteByte(leaving ? NetworkLeave : NetworkJoin);
        w.WriteUInt64(lamport);
        w.WriteString(node);
        w.WriteString(network);
        w.EndMessage(at);
        _node.Enqueue(string.Concat("n:", node, "\n", network), w.ToArray(), network: null);
    }

    private void BroadcastEntryLocked(TableEventKind kind, StoredEntry entry)
    {
        var message = EncodeTableEvent(kind, entry.Lamport, entry.Owner, entry.Network, entry.Table, entry.Key, entry.Value);
        _node.Enqueue(string.Concat("t:", entry.Network, "\n", entry.Table, "\n", entry.Key), message, entry.Network);
    }

    private static byte[] EncodeTableEvent(TableEventKind kind, ulong lamport, string owner, string network, string table, string key, byte[] value)
    {
        var w = new WireWriter(64 + value.Length);
        var at = w.BeginMessage(MessageType.TableEvent);
        w.WriteByte((byte)(kind + 1));
        w.WriteUInt64(lamport);
        w.WriteString(owner);
        w.WriteString(network);
        w.WriteString(table);
        w.WriteString(key);
        w.WriteBlob(value);
        w.EndMessage(at);
        return w.ToArray();
    }

    private void CheckEventSize(string network, string table, string key, byte[] value)
    {
        var size = WireFormat.MessageHeaderSize + 1 + 8 + 4 + 2 + value.Length
            + Encoding.UTF8.GetByteCount(Self) + Encoding.UTF8.GetByteCount(network)
            + Encoding.UTF8.GetByteCount(table) + Encoding.UTF8.GetByteCount(key);
        if (size > MaxEncodedEvent)
        {
            throw new ArgumentException(
                $"entry '{key}' in table '{table}' of network '{network}' encodes to {size} bytes (value {value.Length}); at most {MaxEncodedEvent} fit in one gossip packet",
                nameof(value));
        }
    }

    private string? RandomNetworkPeerLocked(string network)
    {
        if (!_networkMembers.TryGetValue(network, out var members))
        {
            return null;
        }
        string? chosen = null;
        var seen = 0;
        foreach (var node in members)
        {
            if (node != Self && _node.IsLiveMember(node) && _node.Random.Next(++seen) == 0)
            {
                chosen = node;
            }
        }
        return chosen;
    }
}
