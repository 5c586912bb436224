using System.Collections.Concurrent;

namespace Netstack.Controller;

/// <summary>
/// One async mutex per key (network id, sandbox id). Entries are never removed: there are as many
/// as objects ever seen in this process, a few hundred bytes each.
/// </summary>
internal sealed class KeyedLocks
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);

    public async Task<Releaser> AcquireAsync(string key, CancellationToken cancellationToken)
    {
        var semaphore = _locks.GetOrAdd(key, _ => new SemaphoreSlim(1, 1));
        await semaphore.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Releaser(semaphore);
    }

    public readonly struct Releaser(SemaphoreSlim semaphore) : IDisposable
    {
        public void Dispose() => semaphore.Release();
    }
}
