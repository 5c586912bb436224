namespace Netstack.Core.Drivers;

/// <summary>
/// Network-scoped tables a driver writes its own entries to and hears everyone's entries from
/// (libnetwork's <c>DriverCallback.AddTableEntry</c> and <c>EventNotify</c>). The daemon backs it with
/// the gossip layer; a driver never references Gossip. Entries are owned by the node that wrote
/// them: a driver can only change or remove its own.
/// </summary>
public interface IDriverTables
{
    /// <summary>This node's name in the cluster (the <see cref="DriverTableEvent.Owner"/> of its own entries).</summary>
    string NodeName { get; }

    /// <summary>
    /// Starts hearing a network's table: joins the network's gossip group (on the first watch of
    /// it) and calls <paramref name="handler"/> with a <see cref="DriverTableEventKind.Create"/> for
    /// every live entry already known, then for every change. The handler runs on a background
    /// thread, one event at a time per watch; it must not block for long. Disposing the result
    /// stops the events (and leaves the group when it was the network's last watch).
    /// </summary>
    IDisposable Watch(string networkId, string table, Action<DriverTableEvent> handler);

    /// <summary>Creates or replaces this node's entry under <paramref name="key"/>.</summary>
    void Publish(string networkId, string table, string key, ReadOnlyMemory<byte> value);

    /// <summary>Deletes this node's entry. Unknown key: nothing happens.</summary>
    void Withdraw(string networkId, string table, string key);

    /// <summary>Live entries of a table (entries of failed nodes excluded unless <paramref name="includeSuspended"/>).</summary>
    IReadOnlyList<DriverTableEvent> Snapshot(string networkId, string table, bool includeSuspended = false);
}

public enum DriverTableEventKind
{
    /// <summary>An entry appeared: new, or back because its owner returned (<see cref="DriverTableEvent.Suspended"/> true).</summary>
    Create,

    /// <summary>An entry got a new value.</summary>
    Update,

    /// <summary>An entry went: deleted, its owner left, or its owner failed (<see cref="DriverTableEvent.Suspended"/> true: kept, may come back).</summary>
    Delete,
}

/// <summary>A change to a table entry. For deletes <see cref="Value"/> is the last value, so the driver knows what to undo.</summary>
public sealed record DriverTableEvent(DriverTableEventKind Kind, string NetworkId, string Table, string Key, ReadOnlyMemory<byte> Value, string Owner, bool Suspended);

/// <summary>Tables for a node that is in no cluster: only its own entries exist.</summary>
public sealed class LocalDriverTables : IDriverTables
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Network, string Table, string Key), ReadOnlyMemory<byte>> _entries = [];
    private readonly List<(string Network, string Table, Action<DriverTableEvent> Handler)> _watches = [];

    public LocalDriverTables(string nodeName) => NodeName = nodeName;

    public string NodeName { get; }

    public IDisposable Watch(string networkId, string table, Action<DriverTableEvent> handler)
    {
        var watch = (networkId, table, handler);
        List<DriverTableEvent> existing;
        lock (_gate)
        {
            _watches.Add(watch);
            existing = Select(networkId, table);
        }

        foreach (var e in existing)
        {
            handler(e);
        }

        return new Unwatch(() =>
        {
            lock (_gate)
            {
                _watches.Remove(watch);
            }
        });
    }

    public void Publish(string networkId, string table, string key, ReadOnlyMemory<byte> value)
    {
        DriverTableEventKind kind;
        lock (_gate)
        {
            kind = _entries.ContainsKey((networkId, table, key)) ? DriverTableEventKind.Update : DriverTableEventKind.Create;
            _entries[(networkId, table, key)] = value.ToArray();
        }

        Notify(new DriverTableEvent(kind, networkId, table, key, value, NodeName, false));
    }

    public void Withdraw(string networkId, string table, string key)
    {
        ReadOnlyMemory<byte> last;
        lock (_gate)
        {
            if (!_entries.Remove((networkId, table, key), out last))
            {
                return;
            }
        }

        Notify(new DriverTableEvent(DriverTableEventKind.Delete, networkId, table, key, last, NodeName, false));
    }

    public IReadOnlyList<DriverTableEvent> Snapshot(string networkId, string table, bool includeSuspended = false)
    {
        lock (_gate)
        {
            return Select(networkId, table);
        }
    }

    private List<DriverTableEvent> Select(string networkId, string table) =>
        _entries.Where(e => e.Key.Network == networkId && e.Key.Table == table)
            .Select(e => new DriverTableEvent(DriverTableEventKind.Create, networkId, table, e.Key.Key, e.Value, NodeName, false))
            .ToList();

    private void Notify(DriverTableEvent e)
    {
        Action<DriverTableEvent>[] handlers;
        lock (_gate)
        {
            handlers = _watches.Where(w => w.Network == e.NetworkId && w.Table == e.Table).Select(w => w.Handler).ToArray();
        }

        foreach (var h in handlers)
        {
            h(e);
        }
    }

    private sealed class Unwatch(Action dispose) : IDisposable
    {
        private Action? _dispose = dispose;

        public void Dispose() => Interlocked.Exchange(ref _dispose, null)?.Invoke();
    }
}
