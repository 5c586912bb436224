using Netstack.Core.Drivers;
using Netstack.Gossip;
using Netstack.Gossip.Tables;

namespace Netstack.Daemon.Gossip;

/// <summary>
/// The drivers' tables (<see cref="IDriverTables"/>) on the gossip layer's network-scoped tables.
/// Drivers may watch and publish before the gossip node runs (reconcile runs before the hosted
/// services start) or when gossip is off: this node's own entries and the watches are kept here and
/// handed to the node when it starts (<see cref="Attach"/>). A network is joined in gossip while it
/// has a watch or an own entry, and left when it has neither.
/// </summary>
internal sealed class GossipDriverTables : IDriverTables
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Network, string Table, string Key), byte[]> _own = [];
    private readonly List<WatchState> _watches = [];
    private NetworkDb? _db;

    public GossipDriverTables(string nodeName) => NodeName = nodeName;

    public string NodeName { get; private set; }

    /// <summary>Called once the gossip node runs: joins the networks in use, publishes the own entries, connects the watches.</summary>
    public void Attach(GossipNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        List<WatchState> watches;
        List<KeyValuePair<(string Network, string Table, string Key), byte[]>> own;
        lock (_gate)
        {
            _db = node.Tables;
            NodeName = node.Name;
            watches = [.. _watches];
            own = [.. _own];
        }
        foreach (var network in watches.Select(w => w.Network).Concat(own.Select(o => o.Key.Network)).Distinct(StringComparer.Ordinal))
        {
            node.Tables.JoinNetwork(network);
        }
        foreach (var ((network, table, key), value) in own)
        {
            Write(node.Tables, network, table, key, value);
        }
        foreach (var watch in watches)
        {
            Connect(node.Tables, watch, replay: true);
        }
    }

    public IDisposable Watch(string networkId, string table, Action<DriverTableEvent> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var watch = new WatchState(networkId, table, handler);
        NetworkDb? db;
        List<DriverTableEvent> replay = [];
        lock (_gate)
        {
            _watches.Add(watch);
            db = _db;
            if (db is null)
            {
                replay = OwnLocked(networkId, table);
            }
        }
        if (db is not null)
        {
            db.JoinNetwork(networkId);
            Connect(db, watch, replay: true);
        }
        else
        {
            foreach (var e in replay)
            {
                handler(e);
            }
        }
        return new Unwatch(() => Remove(watch));
    }

    public void Publish(string networkId, string table, string key, ReadOnlyMemory<byte> value)
    {
        var copy = value.ToArray();
        NetworkDb? db;
        bool existed;
        List<WatchState> local;
        lock (_gate)
        {
            existed = _own.ContainsKey((networkId, table, key));
            _own[(networkId, table, key)] = copy;
            db = _db;
            local = db is null ? _watches.Where(w => w.Matches(networkId, table)).ToList() : [];
        }
        if (db is not null)
        {
            db.JoinNetwork(networkId);
            Write(db, networkId, table, key, copy);
            return;
        }
        foreach (var w in local)
        {
            w.Handler(new DriverTableEvent(existed ? DriverTableEventKind.Update : DriverTableEventKind.Create, networkId, table, key, copy, NodeName, false));
        }
    }

    public void Withdraw(string networkId, string table, string key)
    {
        NetworkDb? db;
        byte[]? last;
        List<WatchState> local;
        lock (_gate)
        {
            if (!_own.Remove((networkId, table, key), out last))
            {
                return;
            }
            db = _db;
            local = db is null ? _watches.Where(w => w.Matches(networkId, table)).ToList() : [];
        }
        if (db is not null)
        {
            if (db.Get(networkId, table, key) is { } entry && entry.Owner == NodeName)
            {
                db.DeleteEntry(networkId, table, key);
            }
            LeaveIfUnused(db, networkId);
            return;
        }
        foreach (var w in local)
        {
            w.Handler(new DriverTableEvent(DriverTableEventKind.Delete, networkId, table, key, last, NodeName, false));
        }
    }

    public IReadOnlyList<DriverTableEvent> Snapshot(string networkId, string table, bool includeSuspended = false)
    {
        NetworkDb? db;
        lock (_gate)
        {
            db = _db;
            if (db is null)
            {
                return OwnLocked(networkId, table);
            }
        }
        if (!db.Networks.Contains(networkId))
        {
            return [];
        }
        return db.Walk(networkId, table, includeSuspended)
            .Select(e => new DriverTableEvent(DriverTableEventKind.Create, e.Network, e.Table, e.Key, e.Value, e.Owner, e.Suspended))
            .ToArray();
    }

    private void Write(NetworkDb db, string network, string table, string key, byte[] value)
    {
        if (db.Get(network, table, key) is { } existing && existing.Owner == NodeName)
        {
            db.UpdateEntry(network, table, key, value);
        }
        else
        {
            db.CreateEntry(network, table, key, value);
        }
    }

    /// <summary>Subscribes a watch to the node's table and replays what is there.</summary>
    private static void Connect(NetworkDb db, WatchState watch, bool replay)
    {
        var subscription = db.Subscribe(watch.Network, watch.Table, e => watch.Handler(new DriverTableEvent(
            e.Kind switch
            {
                TableEventKind.Create => DriverTableEventKind.Create,
                TableEventKind.Update => DriverTableEventKind.Update,
                _ => DriverTableEventKind.Delete,
            },
            e.Network, e.Table, e.Key, e.Value, e.Owner, e.Suspended)));
        watch.Attach(subscription);
        if (replay)
        {
            foreach (var e in db.Walk(watch.Network, watch.Table))
            {
                watch.Handler(new DriverTableEvent(DriverTableEventKind.Create, e.Network, e.Table, e.Key, e.Value, e.Owner, e.Suspended));
            }
        }
    }

    private void Remove(WatchState watch)
    {
        NetworkDb? db;
        lock (_gate)
        {
            _watches.Remove(watch);
            db = _db;
        }
        watch.Detach();
        if (db is not null)
        {
            LeaveIfUnused(db, watch.Network);
        }
    }

    private void LeaveIfUnused(NetworkDb db, string network)
    {
        lock (_gate)
        {
            if (_watches.Any(w => w.Network == network) || _own.Keys.Any(k => k.Network == network))
            {
                return;
            }
        }
        db.LeaveNetwork(network);
    }

    private List<DriverTableEvent> OwnLocked(string network, string table) =>
        _own.Where(o => o.Key.Network == network && o.Key.Table == table)
            .Select(o => new DriverTableEvent(DriverTableEventKind.Create, network, table, o.Key.Key, o.Value, NodeName, false))
            .ToList();

    private sealed class WatchState(string network, string table, Action<DriverTableEvent> handler)
    {
        private IDisposable? _subscription;

        public string Network { get; } = network;

        public string Table { get; } = table;

        public Action<DriverTableEvent> Handler { get; } = handler;

        public bool Matches(string network, string table) => Network == network && Table == table;

        public void Attach(IDisposable subscription) => Interlocked.Exchange(ref _subscription, subscription)?.Dispose();

        public void Detach() => Interlocked.Exchange(ref _subscription, null)?.Dispose();
    }

    private sealed class Unwatch(Action dispose) : IDisposable
    {
        private Action? _dispose = dispose;

        public void Dispose() => Interlocked.Exchange(ref _dispose, null)?.Invoke();
    }
}
