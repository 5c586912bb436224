namespace Netstack.Core.Storage;

/// <summary>
/// A key/value store with revisions, shaped after etcd v3 so an etcd implementation fits: every
/// write bumps the store's revision; an entry carries the revision of its last change
/// (<see cref="KeyValueEntry.Revision"/> = etcd's <c>mod_revision</c>) and of its creation.
/// Writers compare-and-swap on the revision they read. Keys are <c>/</c>-separated paths.
/// </summary>
public interface IKeyValueStore : IAsyncDisposable
{
    /// <summary>The entry, or null when the key does not exist.</summary>
    Task<KeyValueEntry?> GetAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Every entry whose key starts with <paramref name="prefix"/>, ordered by key.</summary>
    Task<IReadOnlyList<KeyValueEntry>> ListAsync(string prefix, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes a value. <paramref name="expectedRevision"/>: null writes unconditionally; 0 only
    /// creates (the key must not exist); n &gt; 0 replaces only the entry at revision n. A failed
    /// condition throws <see cref="StoreConflictException"/>. Returns the new revision of the entry.
    /// </summary>
    Task<long> PutAsync(string key, ReadOnlyMemory<byte> value, long? expectedRevision = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes a key. <paramref name="expectedRevision"/>: null deletes whatever is there; n &gt; 0 only
    /// the entry at revision n (else <see cref="StoreConflictException"/>). Returns false when the
    /// key did not exist (and no revision was expected).
    /// </summary>
    Task<bool> DeleteAsync(string key, long? expectedRevision = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Atomically checks every condition, then applies every operation, or does nothing
    /// (etcd's <c>Txn</c> with compares on <c>mod_revision</c>/<c>create_revision</c>).
    /// </summary>
    Task<TransactionResult> CommitAsync(StoreTransaction transaction, CancellationToken cancellationToken = default);
}

/// <summary>A stored value with its revisions.</summary>
public sealed record KeyValueEntry(string Key, ReadOnlyMemory<byte> Value, long Revision, long CreateRevision);

/// <summary>Result of a transaction: whether the conditions held, and the store revision after it.</summary>
public sealed record TransactionResult(bool Succeeded, long Revision);
