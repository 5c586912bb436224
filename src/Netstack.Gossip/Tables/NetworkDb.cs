using System.Text;
using Netstack.Gossip.Wire;

namespace Netstack.Gossip.Tables;

/// <summary>
/// Network-scoped tables gossiped among the members of each network, as libnetwork's networkdb
/// does: a node joins networks, writes entries it owns, and sees every member's entries. Changes
/// carry Lamport times (last writer wins), deletes leave tombstones for
/// <see cref="GossipOptions.TombstoneReapTime"/>, a joining node pulls the network's full state
/// from a member, and a periodic sync repairs what gossip missed. Entries of a failed owner are
/// suspended (hidden, kept) and come back when it returns; they go when it leaves or is reaped.
/// </summary>
public sealed partial class NetworkDb
{
    /// <summary>A table event must fit a UDP packet with room for the compound header and sealing.</summary>
    public const int MaxEncodedEvent = 1200;

    private readonly GossipNode _node;
    private readonly LamportClock _networkClock = new();
    private readonly LamportClock _tableClock = new();
    // Every node's network memberships as last heard (including leaves, as tombstones).
    private readonly Dictionary<string, Dictionary<string, NodeNetwork>> _nodeNetworks = new(StringComparer.Ordinal);
    // Members (not leaving) of each network, derived from _nodeNetworks for O(1) scope checks.
    private readonly Dictionary<string, HashSet<string>> _networkMembers = new(StringComparer.Ordinal);
    // Entries of the networks this node is in: network -> (table, key) -> entry.
    private readonly Dictionary<string, Dictionary<(string Table, string Key), StoredEntry>> _networks = new(StringComparer.Ordinal);
    private readonly List<Subscription> _subscriptions = [];
    private DateTimeOffset _nextTableSync;

    internal NetworkDb(GossipNode node)
    {
        _node = node;
        _nextTableSync = node.Time.GetUtcNow() + node.Options.TableSyncInterval;
    }

    private string Self => _node.Name;

    /// <summary>Networks this node is in.</summary>
    public IReadOnlyList<string> Networks
    {
        get { lock (_node.Gate) { return _networks.Keys.Order(StringComparer.Ordinal).ToList(); } }
    }

    /// <summary>Nodes known to be in <paramref name="network"/> (this node included when it is).</summary>
    public IReadOnlyList<string> NetworkNodes(string network)
    {
        lock (_node.Gate)
        {
            return _networkMembers.TryGetValue(network, out var set) ? set.Order(StringComparer.Ordinal).ToList() : [];
        }
    }

    /// <summary>Joins a network: announces it and pulls the network's state from a member. No-op when already joined.</summary>
    public void JoinNetwork(string network)
    {
        ValidateName(network, nameof(network));
        lock (_node.Gate)
        {
            if (_networks.ContainsKey(network))
            {
                return;
            }
            _networks[network] = [];
            var lamport = _networkClock.Increment();
            SetMembershipLocked(Self, network, lamport, leaving: false);
            BroadcastNetworkEventLocked(Self, network, lamport, leaving: false);
            var peer = RandomNetworkPeerLocked(network);
            if (peer is not null)
            {
                _node.SendTableSyncLocked(peer, network);
            }
        }
        _node.Flush();
    }

    /// <summary>Leaves a network: announces it and forgets the network's entries (subscribers get deletes).</summary>
    public void LeaveNetwork(string network)
    {
        ValidateName(network, nameof(network));
        lock (_node.Gate)
        {
            if (!_networks.Remove(network, out var entries))
            {
                return;
            }
            var lamport = _networkClock.Increment();
            SetMembershipLocked(Self, network, lamport, leaving: true);
            BroadcastNetworkEventLocked(Self, network, lamport, leaving: true);
            _node.RemoveNetworkBroadcasts(network);
            foreach (var entry in entries.Values)
            {
                if (entry.Live)
                {
                    NotifyLocked(TableEventKind.Delete, entry, suspended: false);
                }
            }
        }
        _node.Flush();
    }

    /// <summary>Creates an entry owned by this node. Fails when a live entry has the key.</summary>
    public void CreateEntry(string network, string table, string key, ReadOnlySpan<byte> value)
    {
        ValidateEntry(network, table, key);
        var copy = value.ToArray();
        lock (_node.Gate)
        {
            var entries = JoinedLocked(network);
            if (entries.TryGetValue((table, key), out var existing) && !existing.Deleted)
            {
                throw new InvalidOperationException($"entry '{key}' already exists in table '{table}' of network '{network}' (owner {existing.Owner})");
            }
            CheckEventSize(network, table, key, copy);
            var entry = new StoredEntry(network, table, key, copy, Self, _tableClock.Increment());
            entries[(table, key)] = entry;
            BroadcastEntryLocked(TableEventKind.Create, entry);
            NotifyLocked(TableEventKind.Create, entry, suspended: false);
        }
        _node.Flush();
    }

    /// <summary>Replaces the value of an entry this node owns.</summary>
    public void UpdateEntry(string network, string table, string key, ReadOnlySpan<byte> value)
    {
        ValidateEntry(network, table, key);
        var copy = value.ToArray();
        lock (_node.Gate)
        {
            var entry = OwnedLocked(network, table, key);
            CheckEventSize(network, table, key, copy);
            entry.Value = copy;
            entry.Lamport = _tableClock.Increment();
            BroadcastEntryLocked(TableEventKind.Update, entry);
            NotifyLocked(TableEventKind.Update, entry, suspended: false);
        }
        _node.Flush();
    }

    /// <summary>Deletes an entry this node owns, leaving a tombstone.</summary>
    public void DeleteEntry(string network, string table, string key)
    {
        ValidateEntry(network, table, key);
        lock (_node.Gate)
        {
            var entry = OwnedLocked(network, table, key);
            TombstoneLocked(entry, _tableClock.Increment(), _node.Options.TombstoneReapTime);
            BroadcastEntryLocked(TableEventKind.Delete, entry);
            NotifyLocked(TableEventKind.Delete, entry, suspended: false);
        }
        _node.Flush();
    }

    /// <summary>The live entry under the key, or null (absent, deleted, or suspended unless asked for).</summary>
    public TableEntry? Get(string network, string table, string key, bool includeSuspended = false)
    {
        lock (_node.Gate)
        {
            if (_networks.TryGetValue(network, out var entries) && entries.TryGetValue((table, key), out var entry)
                && !entry.Deleted && (includeSuspended || !entry.Suspended))
            {
                return entry.ToEntry();
            }
            return null;
        }
    }

    /// <summary>The live entries of a table, ordered by key.</summary>
    public IReadOnlyList<TableEntry> Walk(string network, string table, bool includeSuspended = false)
    {
        lock (_node.Gate)
        {
            if (!_networks.TryGetValue(network, out var entries))
            {
                return [];
            }
            return entries.Values
                .Where(e => e.Table == table && !e.Deleted && (includeSuspended || !e.Suspended))
                .OrderBy(e => e.Key, StringComparer.Ordinal)
                .Select(e => e.ToEntry())
                .ToList();
        }
    }

    /// <summary>
    /// Calls <paramref name="handler"/> for every change in the matching network and table (null
    /// matches all). Handlers run outside the node's lock, in order; dispose the result to stop.
    /// </summary>
    public IDisposable Subscribe(string? network, string? table, Action<TableEvent> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var subscription = new Subscription(this, network, table, handler);
        lock (_node.Gate)
        {
            _subscriptions.Add(subscription);
        }
        return subscription;
    }

    internal bool IsNodeInNetworkLocked(string node, string network) =>
        _networkMembers.TryGetValue(network, out var set) && set.Contains(node);

    internal int NetworkSizeLocked(string network) =>
        _networkMembers.TryGetValue(network, out var set) ? set.Count : 1;

    private Dictionary<(string Table, string Key), StoredEntry> JoinedLocked(string network) =>
        _networks.TryGetValue(network, out var entries)
            ? entries
            : throw new InvalidOperationException($"node '{Self}' has not joined network '{network}'; call JoinNetwork first");

    private StoredEntry OwnedLocked(string network, string table, string key)
    {
        var entries = JoinedLocked(network);
        if (!entries.TryGetValue((table, key), out var entry) || entry.Deleted)
        {
            throw new KeyNotFoundException($"no entry '{key}' in table '{table}' of network '{network}'");
        }
        if (entry.Owner != Self)
        {
            throw new InvalidOperationException($"entry '{key}' in table '{table}' of network '{network}' is owned by '{entry.Owner}', not by '{Self}'");
        }
        return entry;
    }

    private void TombstoneLocked(StoredEntry entry, ulong lamport, TimeSpan keepFor)
    {
        entry.Deleted = true;
        entry.Lamport = lamport;
        entry.ReapAt = _node.Time.GetUtcNow() + keepFor;
    }

    private void NotifyLocked(TableEventKind kind, StoredEntry entry, bool suspended)
    {
        if (_subscriptions.Count == 0)
        {
            return;
        }
        TableEvent? change = null;
        foreach (var subscription in _subscriptions)
        {
            if (subscription.Matches(entry.Network, entry.Table))
            {
                change ??= new TableEvent(kind, entry.Network, entry.Table, entry.Key, entry.Value, entry.Owner, suspended);
                var handler = subscription.Handler;
                var captured = change;
                _node.Notify(() => handler(captured));
            }
        }
    }

    private static void ValidateEntry(string network, string table, string key)
    {
        ValidateName(network, nameof(network));
        ValidateName(table, nameof(table));
        ValidateName(key, nameof(key));
    }

    private static void ValidateName(string value, string field)
    {
        ArgumentNullException.ThrowIfNull(value, field);
        if (value.Length == 0 || Encoding.UTF8.GetByteCount(value) > 255 || value.Any(char.IsControl))
        {
            throw new ArgumentException($"{field} '{value}' must be 1..255 bytes of UTF-8 without control characters", field);
        }
    }

    private sealed class Subscription(NetworkDb owner, string? network, string? table, Action<TableEvent> handler) : IDisposable
    {
        public Action<TableEvent> Handler { get; } = handler;

        public bool Matches(string entryNetwork, string entryTable) =>
            (network is null || network == entryNetwork) && (table is null || table == entryTable);

        public void Dispose()
        {
            lock (owner._node.Gate)
            {
                owner._subscriptions.Remove(this);
            }
        }
    }

    private sealed record NodeNetwork(ulong Lamport, bool Leaving, DateTimeOffset Since);
}
