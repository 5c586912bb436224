namespace Netstack.Controller;

/// <summary>
/// One async mutex per key (network id, sandbox id). An entry lives while somebody holds or waits
/// for its mutex and goes with the last of them, so the table holds the keys in use, not every key
/// this process ever saw (a daemon churning networks and sandboxes would grow it without end).
/// </summary>
internal sealed class KeyedLocks
{
    private readonly Dictionary<string, Entry> _locks = new(StringComparer.Ordinal);

    /// <summary>Keys with a holder or a waiter now; for tests.</summary>
    internal int Count
    {
        get
        {
            lock (_locks)
            {
                return _locks.Count;
            }
        }
    }

    public async Task<Releaser> AcquireAsync(string key, CancellationToken cancellationToken)
    {
        Entry? entry;
        lock (_locks)
        {
            if (!_locks.TryGetValue(key, out entry))
            {
                entry = new Entry();
                _locks[key] = entry;
            }
            entry.Users++;
        }
        try
        {
            await entry.Semaphore.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Leave(key, entry);
            throw;
        }
        return new Releaser(this, key, entry);
    }

    private void Leave(string key, Entry entry)
    {
        lock (_locks)
        {
            if (--entry.Users == 0)
            {
                _locks.Remove(key);
            }
        }
    }

    public readonly struct Releaser : IDisposable
    {
        private readonly KeyedLocks _owner;
        private readonly string _key;
        private readonly Entry _entry;

        internal Releaser(KeyedLocks owner, string key, Entry entry)
        {
            _owner = owner;
            _key = key;
            _entry = entry;
        }

        public void Dispose()
        {
            _entry.Semaphore.Release();
            _owner.Leave(_key, _entry);
        }
    }

    /// <summary>A mutex and how many hold or wait for it (under the table's lock).</summary>
    internal sealed class Entry
    {
        public SemaphoreSlim Semaphore { get; } = new(1, 1);

        public int Users { get; set; }
    }
}
