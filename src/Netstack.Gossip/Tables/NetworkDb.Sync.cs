using Netstack.Gossip.Wire;

namespace Netstack.Gossip.Tables;

/// <summary>
/// Full-state exchange (inside push/pull and the per-network table sync) and reactions to
/// membership. Encoding, after the member list of a push/pull:
///   membership count u32, each: node | network | lamport u64 | leaving u8
///   entry count u32, each: network | table | key | owner | lamport u64 | deleted u8 |
///                          tombstone seconds left u32 | value blob
/// Tombstones travel with the time they have left, so a reaped tombstone cannot bounce back from
/// a peer that learnt it later.
/// </summary>
public sealed partial class NetworkDb
{
    /// <param name="w">Output.</param>
    /// <param name="peer">Receiver, when known: only networks it is in are sent.</param>
    /// <param name="only">A table sync about one network: only that network's memberships and entries.</param>
    internal void EncodeStateLocked(WireWriter w, string? peer, string? only)
    {
        var countAt = w.Length;
        w.WriteUInt32(0);
        uint count = 0;
        foreach (var (node, networks) in _nodeNetworks)
        {
            foreach (var (network, record) in networks)
            {
                // A table sync carries only the sender's own membership of that network (so the
                // receiver answers with the entries); memberships travel with the cluster push/pull.
                if (only is not null && (network != only || node != Self))
                {
                    continue;
                }
                w.WriteString(node);
                w.WriteString(network);
                w.WriteUInt64(record.Lamport);
                w.WriteByte(record.Leaving ? (byte)1 : (byte)0);
                count++;
            }
        }
        w.PatchUInt32(countAt, count);
        var now = _node.Time.GetUtcNow();
        var entryCountAt = w.Length;
        w.WriteUInt32(0);
        uint entries = 0;
        foreach (var (network, table) in _networks)
        {
            // Only what the peer can use: networks it is in, as far as we know (all when unknown).
            if ((only is not null && network != only) || (peer is not null && !IsNodeInNetworkLocked(peer, network)))
            {
                continue;
            }
            foreach (var entry in table.Values)
            {
                w.WriteString(entry.Network);
                w.WriteString(entry.Table);
                w.WriteString(entry.Key);
                w.WriteString(entry.Owner);
                w.WriteUInt64(entry.Lamport);
                w.WriteByte(entry.Deleted ? (byte)1 : (byte)0);
                var left = entry.Deleted ? Math.Max(0, (entry.ReapAt - now).TotalSeconds) : 0;
                w.WriteUInt32((uint)Math.Ceiling(left));
                w.WriteBlob(entry.Value);
                entries++;
            }
        }
        w.PatchUInt32(entryCountAt, entries);
    }

    /// <summary>Parses the table part of a push/pull; null when malformed.</summary>
    internal static TableStateSnapshot? ParseState(ref WireReader r)
    {
        var state = new TableStateSnapshot();
        if (!r.TryReadUInt32(out var memberships) || memberships > (uint)r.Remaining)
        {
            return null;
        }
        for (var i = 0; i < memberships; i++)
        {
            if (!r.TryReadString(out var node) || !r.TryReadString(out var network) || !r.TryReadUInt64(out var lamport) || !r.TryReadByte(out var leaving))
            {
                return null;
            }
            state.Memberships.Add((node, network, lamport, leaving != 0));
        }
        if (!r.TryReadUInt32(out var entries) || entries > (uint)r.Remaining)
        {
            return null;
        }
        for (var i = 0; i < entries; i++)
        {
            if (!r.TryReadString(out var network) || !r.TryReadString(out var table) || !r.TryReadString(out var key)
                || !r.TryReadString(out var owner) || !r.TryReadUInt64(out var lamport) || !r.TryReadByte(out var deleted)
                || !r.TryReadUInt32(out var seconds) || !r.TryReadBlob(out var value))
            {
                return null;
            }
            state.Entries.Add((network, table, key, owner, lamport, deleted != 0, seconds, value));
        }
        return state;
    }

    internal void MergeStateLocked(TableStateSnapshot state)
    {
        foreach (var (node, network, lamport, leaving) in state.Memberships)
        {
            ApplyMembershipLocked(node, network, lamport, leaving);
        }
        foreach (var e in state.Entries)
        {
            var keep = TimeSpan.FromSeconds(Math.Min(e.ReapSeconds, _node.Options.TombstoneReapTime.TotalSeconds));
            if (e.Deleted && keep <= TimeSpan.Zero)
            {
                continue;
            }
            ApplyEntryLocked(e.Network, e.Table, e.Key, e.Owner, e.Lamport, e.Deleted, e.Value, keep);
        }
    }

    /// <summary>A member came into view, or came back after failing (then its entries are restored).</summary>
    internal void OnMemberAliveLocked(string node, bool returned)
    {
        if (!returned)
        {
            return;
        }
        foreach (var entries in _networks.Values)
        {
            foreach (var entry in entries.Values)
            {
                if (entry.Owner == node && entry.Suspended)
                {
                    entry.Suspended = false;
                    if (!entry.Deleted)
                    {
                        NotifyLocked(TableEventKind.Create, entry, suspended: true);
                    }
                }
            }
        }
    }

    /// <summary>A member failed: hide its entries but keep them, it may come back.</summary>
    internal void OnMemberFailedLocked(string node)
    {
        foreach (var entries in _networks.Values)
        {
            foreach (var entry in entries.Values)
            {
                if (entry.Owner == node && !entry.Suspended)
                {
                    var wasLive = entry.Live;
                    entry.Suspended = true;
                    if (wasLive)
                    {
                        NotifyLocked(TableEventKind.Delete, entry, suspended: true);
                    }
                }
            }
        }
    }

    /// <summary>A member left the cluster: its entries and network memberships go.</summary>
    internal void OnMemberLeftLocked(string node) => ForgetNodeLocked(node);

    /// <summary>A failed member stayed away for <see cref="GossipOptions.FailedNodeReapTime"/>.</summary>
    internal void OnMemberReapedLocked(string node) => ForgetNodeLocked(node);

    private void ForgetNodeLocked(string node)
    {
        RemoveOwnerEntriesLocked(node, network: null);
        if (_nodeNetworks.Remove(node, out var networks))
        {
            foreach (var network in networks.Keys)
            {
                if (_networkMembers.TryGetValue(network, out var members))
                {
                    members.Remove(node);
                }
            }
        }
    }

    /// <summary>Reaps tombstones and old network leaves; starts the periodic per-network sync.</summary>
    internal void MaintenanceLocked()
    {
        var now = _node.Time.GetUtcNow();
        foreach (var entries in _networks.Values)
        {
            List<(string, string)>? reaped = null;
            foreach (var (k, entry) in entries)
            {
                if (entry.Deleted && entry.ReapAt <= now)
                {
                    (reaped ??= []).Add(k);
                }
            }
            if (reaped is not null)
            {
                foreach (var k in reaped)
                {
                    entries.Remove(k);
                }
            }
        }
        // networkdb keeps a network leave 5 minutes longer than entry tombstones (reapNetworkInterval).
        var keepLeaves = _node.Options.TombstoneReapTime + TimeSpan.FromMinutes(5);
        foreach (var networks in _nodeNetworks.Values)
        {
            List<string>? reaped = null;
            foreach (var (network, record) in networks)
            {
                if (record.Leaving && now - record.Since > keepLeaves)
                {
                    (reaped ??= []).Add(network);
                }
            }
            reaped?.ForEach(n => networks.Remove(n));
        }
        if (now >= _nextTableSync)
        {
            _nextTableSync = now + _node.Options.TableSyncInterval;
            foreach (var network in _networks.Keys)
            {
                var peer = RandomNetworkPeerLocked(network);
                if (peer is not null)
                {
                    _node.SendTableSyncLocked(peer, network);
                }
            }
        }
    }
}
