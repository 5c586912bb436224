using System.Threading.Channels;
using Netstack.Core.Drivers;

namespace Netstack.TestKit;

/// <summary>
/// Driver tables shared by several "nodes" in one process, standing in for the gossip layer: an
/// entry one node publishes reaches every node's watches, each watch hearing its events one at a
/// time on a background thread of its own (as <see cref="IDriverTables"/> promises). A node can be
/// failed and recovered: its entries reach the others as deletes, then creates, with
/// <see cref="DriverTableEvent.Suspended"/> set, the way the gossip layer reports a failed node.
/// </summary>
public sealed class InMemoryDriverTables
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Network, string Table, string Key), (string Owner, byte[] Value)> _entries = [];
    private readonly HashSet<string> _failed = new(StringComparer.Ordinal);
    private readonly List<Watcher> _watchers = [];

    /// <summary>The tables as node <paramref name="nodeName"/> sees them.</summary>
    public IDriverTables Node(string nodeName) => new NodeView(this, nodeName);

    /// <summary>Entries currently held, by owner, for assertions.</summary>
    public IReadOnlyList<(string Network, string Table, string Key, string Owner)> Entries()
    {
        lock (_gate)
        {
            return _entries.Select(e => (e.Key.Network, e.Key.Table, e.Key.Key, e.Value.Owner)).ToList();
        }
    }

    /// <summary>The node stops answering: every other node hears its entries deleted, suspended.</summary>
    public void Fail(string nodeName)
    {
        lock (_gate)
        {
            if (!_failed.Add(nodeName))
            {
                return;
            }
            foreach (var (key, entry) in _entries.Where(e => e.Value.Owner == nodeName))
            {
                Deliver(new DriverTableEvent(DriverTableEventKind.Delete, key.Network, key.Table, key.Key, entry.Value, nodeName, true), except: nodeName);
            }
        }
    }

    /// <summary>The node is back: every other node hears its entries created again, marked suspended (returned).</summary>
    public void Recover(string nodeName)
    {
        lock (_gate)
        {
            if (!_failed.Remove(nodeName))
            {
                return;
            }
            foreach (var (key, entry) in _entries.Where(e => e.Value.Owner == nodeName))
            {
                Deliver(new DriverTableEvent(DriverTableEventKind.Create, key.Network, key.Table, key.Key, entry.Value, nodeName, true), except: nodeName);
            }
        }
    }

    /// <summary>Puts an entry owned by <paramref name="owner"/> directly (a node with no driver, or a corrupt peer).</summary>
    public void PublishAs(string owner, string networkId, string table, string key, ReadOnlyMemory<byte> value)
    {
        lock (_gate)
        {
            var kind = _entries.ContainsKey((networkId, table, key)) ? DriverTableEventKind.Update : DriverTableEventKind.Create;
            var copy = value.ToArray();
            _entries[(networkId, table, key)] = (owner, copy);
            if (!_failed.Contains(owner))
            {
                Deliver(new DriverTableEvent(kind, networkId, table, key, copy, owner, false), except: null);
            }
        }
    }

    private void Withdraw(string owner, string networkId, string table, string key)
    {
        lock (_gate)
        {
            if (!_entries.TryGetValue((networkId, table, key), out var entry) || entry.Owner != owner)
            {
                return;
            }
            _entries.Remove((networkId, table, key));
            if (!_failed.Contains(owner))
            {
                Deliver(new DriverTableEvent(DriverTableEventKind.Delete, networkId, table, key, entry.Value, owner, false), except: null);
            }
        }
    }

    private IDisposable Watch(string node, string networkId, string table, Action<DriverTableEvent> handler)
    {
        var watcher = new Watcher(node, networkId, table, handler);
        lock (_gate)
        {
            _watchers.Add(watcher);
            foreach (var (key, entry) in _entries.Where(e => e.Key.Network == networkId && e.Key.Table == table && !_failed.Contains(e.Value.Owner)))
            {
                watcher.Enqueue(new DriverTableEvent(DriverTableEventKind.Create, networkId, table, key.Key, entry.Value, entry.Owner, false));
            }
        }
        return new Unwatch(() =>
        {
            lock (_gate)
            {
                _watchers.Remove(watcher);
            }
            watcher.Stop();
        });
    }

    private List<DriverTableEvent> Snapshot(string networkId, string table, bool includeSuspended)
    {
        lock (_gate)
        {
            return _entries.Where(e => e.Key.Network == networkId && e.Key.Table == table && (includeSuspended || !_failed.Contains(e.Value.Owner)))
                .Select(e => new DriverTableEvent(DriverTableEventKind.Create, networkId, table, e.Key.Key, e.Value.Value, e.Value.Owner, _failed.Contains(e.Value.Owner)))
                .ToList();
        }
    }

    /// <summary>Under the gate, so every watch hears events in the order they happened.</summary>
    private void Deliver(DriverTableEvent e, string? except)
    {
        foreach (var watcher in _watchers.Where(w => w.Network == e.NetworkId && w.Table == e.Table && w.Node != except && !_failed.Contains(w.Node)))
        {
            watcher.Enqueue(e);
        }
    }

    private sealed class Watcher
    {
        private readonly Channel<DriverTableEvent> _queue = Channel.CreateUnbounded<DriverTableEvent>(new UnboundedChannelOptions { SingleReader = true });

        public Watcher(string node, string network, string table, Action<DriverTableEvent> handler)
        {
            Node = node;
            Network = network;
            Table = table;
            _ = Task.Run(async () =>
            {
                await foreach (var e in _queue.Reader.ReadAllAsync())
                {
                    handler(e);
                }
            });
        }

        public string Node { get; }

        public string Network { get; }

        public string Table { get; }

        public void Enqueue(DriverTableEvent e) => _queue.Writer.TryWrite(e);

        public void Stop() => _queue.Writer.TryComplete();
    }

    private sealed class NodeView(InMemoryDriverTables tables, string nodeName) : IDriverTables
    {
        public string NodeName { get; } = nodeName;

        public IDisposable Watch(string networkId, string table, Action<DriverTableEvent> handler) => tables.Watch(NodeName, networkId, table, handler);

        public void Publish(string networkId, string table, string key, ReadOnlyMemory<byte> value) => tables.PublishAs(NodeName, networkId, table, key, value);

        public void Withdraw(string networkId, string table, string key) => tables.Withdraw(NodeName, networkId, table, key);

        public IReadOnlyList<DriverTableEvent> Snapshot(string networkId, string table, bool includeSuspended = false) => tables.Snapshot(networkId, table, includeSuspended);
    }

    private sealed class Unwatch(Action dispose) : IDisposable
    {
        private Action? _dispose = dispose;

        public void Dispose() => Interlocked.Exchange(ref _dispose, null)?.Invoke();
    }
}
