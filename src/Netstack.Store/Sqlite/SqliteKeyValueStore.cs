using System.Globalization;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Netstack.Core;
using Netstack.Core.Storage;

namespace Netstack.Store;

/// <summary>
/// The embedded local store: one SQLite file in WAL mode. Table <c>kv</c> holds each key with its
/// create and mod revisions; table <c>meta</c> holds the store revision, bumped once per write
/// transaction (as etcd does), so revisions never repeat, even across restarts.
/// <para>Durability: <c>synchronous=FULL</c>. In WAL mode NORMAL already survives a killed process
/// (the WAL is in the OS page cache), but it can lose the last commits on power loss or a kernel
/// crash, because the WAL is only fsynced at checkpoints. The controller acknowledges a network or
/// an address to the user after the store write returns, so that write must be on disk: FULL
/// fsyncs the WAL at every commit. The price is one fsync per write transaction.</para>
/// <para>One connection guarded by a semaphore: writes are serialized by SQLite anyway, and a single
/// connection avoids SQLITE_BUSY inside the process. Writes are group-committed (see
/// <see cref="WriteLoopAsync"/>).</para>
/// </summary>
public sealed class SqliteKeyValueStore : IKeyValueStore
{
    private readonly SqliteConnection _connection;
    /// <summary>Most writes committed together; bounds the time one transaction holds the file lock.</summary>
    private const int MaxBatch = 256;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Channel<PendingWrite> _queue = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;
    private bool _disposed;

    private SqliteKeyValueStore(SqliteConnection connection, string path)
    {
        _connection = connection;
        Path = path;
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>Opens (creating if needed) the store at <see cref="SqliteStoreOptions.Path"/>.</summary>
    public static async Task<SqliteKeyValueStore> OpenAsync(SqliteStoreOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.Path))
        {
            throw new InvalidParameterException("store path", options.Path, "give the path of the SQLite database file");
        }
        var full = System.IO.Path.GetFullPath(options.Path);
        var directory = System.IO.Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = full,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            DefaultTimeout = (int)Math.Ceiling(options.BusyTimeout.TotalSeconds),
        };
        var connection = new SqliteConnection(builder.ToString());
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            var busyMs = ((long)options.BusyTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
            await ExecuteAsync(connection, $"""
                PRAGMA journal_mode=WAL;
                PRAGMA synchronous=FULL;
                PRAGMA busy_timeout={busyMs};
                CREATE TABLE IF NOT EXISTS kv (
                    key TEXT PRIMARY KEY NOT NULL,
                    value BLOB NOT NULL,
                    create_revision INTEGER NOT NULL,
                    mod_revision INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL) WITHOUT ROWID;
                INSERT OR IGNORE INTO meta (name, value) VALUES ('revision', 0);
                """, cancellationToken).ConfigureAwait(false);
            return new SqliteKeyValueStore(connection, full);
        }
        catch (SqliteException e)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw new InternalException($"cannot open the store \"{full}\": {e.Message}", e);
        }
    }

    /// <summary>Current store revision.</summary>
    public async Task<long> GetRevisionAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await ReadRevisionAsync(null, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<KeyValueEntry?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        StoreKeys.Validate(key);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return await ReadEntryAsync(null, key, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<IReadOnlyList<KeyValueEntry>> ListAsync(string prefix, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var command = _connection.CreateCommand();
            var end = StoreKeys.PrefixEnd(prefix);
            command.CommandText = end is null
                ? "SELECT key, value, mod_revision, create_revision FROM kv WHERE key >= $from ORDER BY key"
                : "SELECT key, value, mod_revision, create_revision FROM kv WHERE key >= $from AND key < $to ORDER BY key";
            command.Parameters.AddWithValue("$from", prefix);
            if (end is not null)
            {
                command.Parameters.AddWithValue("$to", end);
            }
            var result = new List<KeyValueEntry>();
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var key = reader.GetString(0);
                // The range is in UTF-16 order on our side and in byte order in SQLite; they agree for
                // the ASCII keys we write, and the StartsWith check keeps the answer exact otherwise.
                if (key.StartsWith(prefix, StringComparison.Ordinal))
                {
                    result.Add(new KeyValueEntry(key, (byte[])reader.GetValue(1), reader.GetInt64(2), reader.GetInt64(3)));
                }
            }
            return result;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<long> PutAsync(string key, ReadOnlyMemory<byte> value, long? expectedRevision = null, CancellationToken cancellationToken = default)
    {
        StoreKeys.Validate(key);
        StoreFailPoints.Before(key);
        var written = await WriteAsync(async (transaction, ct) =>
        {
            var current = await ReadEntryAsync(transaction, key, ct).ConfigureAwait(false);
            TransactionRules.CheckSingle(key, expectedRevision, current?.Revision ?? 0);
            var revision = await BumpRevisionAsync(transaction, ct).ConfigureAwait(false);
            await UpsertAsync(transaction, key, value, revision, ct).ConfigureAwait(false);
            return revision;
        }, cancellationToken).ConfigureAwait(false);
        StoreFailPoints.After(key);
        return written;
    }

    public async Task<bool> DeleteAsync(string key, long? expectedRevision = null, CancellationToken cancellationToken = default)
    {
        StoreKeys.Validate(key);
        StoreFailPoints.Before(key);
        var deleted = await WriteAsync(async (transaction, ct) =>
        {
            var current = await ReadEntryAsync(transaction, key, ct).ConfigureAwait(false);
            TransactionRules.CheckSingle(key, expectedRevision, current?.Revision ?? 0);
            if (current is null)
            {
                return false;
            }
            await BumpRevisionAsync(transaction, ct).ConfigureAwait(false);
            await RemoveAsync(transaction, key, ct).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);
        if (deleted)
        {
            StoreFailPoints.After(key);
        }
        return deleted;
    }

    public async Task<TransactionResult> CommitAsync(StoreTransaction transaction, CancellationToken cancellationToken = default)
    {
        TransactionRules.Validate(transaction);
        StoreFailPoints.Before(transaction);
        var result = await WriteAsync(async (sqlTransaction, ct) =>
        {
            foreach (var condition in transaction.Conditions)
            {
                var current = await ReadEntryAsync(sqlTransaction, condition.Key, ct).ConfigureAwait(false);
                if ((current?.Revision ?? 0) != condition.Revision)
                {
                    return new TransactionResult(false, await ReadRevisionAsync(sqlTransaction, ct).ConfigureAwait(false));
                }
            }
            if (transaction.Operations.Count == 0)
            {
                return new TransactionResult(true, await ReadRevisionAsync(sqlTransaction, ct).ConfigureAwait(false));
            }
            var revision = await BumpRevisionAsync(sqlTransaction, ct).ConfigureAwait(false);
            foreach (var op in transaction.Operations)
            {
                if (op.IsDelete)
                {
                    await RemoveAsync(sqlTransaction, op.Key, ct).ConfigureAwait(false);
                }
                else
                {
                    await UpsertAsync(sqlTransaction, op.Key, op.Value, revision, ct).ConfigureAwait(false);
                }
            }
            return new TransactionResult(true, revision);
        }, cancellationToken).ConfigureAwait(false);
        if (result.Succeeded)
        {
            StoreFailPoints.After(transaction);
        }
        return result;
    }

    public async ValueTask DisposeAsync()
    {
        // Writes already queued are committed before the connection closes.
        if (_queue.Writer.TryComplete())
        {
            await _writer.ConfigureAwait(false);
        }
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            await _connection.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Queues <paramref name="body"/> for the writer loop and waits until its batch is committed.
    /// A write, once queued, is not cancelled: its caller may already have acted on it being durable.
    /// </summary>
    private async Task<T> WriteAsync<T>(Func<SqliteTransaction, CancellationToken, Task<T>> body, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var pending = new PendingWrite<T>(body);
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new ObjectDisposedException(nameof(SqliteKeyValueStore));
        }
        return await pending.Task.ConfigureAwait(false);
    }

    /// <summary>
    /// Group commit: every write waiting when the loop wakes goes into one <c>BEGIN IMMEDIATE</c>
    /// transaction, each inside its own savepoint (a failed compare-and-swap rolls back only its own
    /// changes), and one COMMIT, so one WAL fsync, acknowledges them all. Concurrent writers (100
    /// connects at once) then share fsyncs instead of queueing for one each; a lone writer still
    /// pays exactly one.
    /// </summary>
    private async Task WriteLoopAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<PendingWrite>(MaxBatch);
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < MaxBatch && reader.TryRead(out var write))
            {
                batch.Add(write);
            }
            await _gate.WaitAsync().ConfigureAwait(false);
            try
            {
                await CommitBatchAsync(batch).ConfigureAwait(false);
            }
            finally
            {
                _gate.Release();
            }
        }
    }

    private async Task CommitBatchAsync(List<PendingWrite> batch)
    {
        try
        {
            // deferred: false takes the write lock at BEGIN (BEGIN IMMEDIATE), so another process
            // holding a read transaction cannot make the upgrade fail half-way.
            using var transaction = _connection.BeginTransaction(deferred: false);
            for (var i = 0; i < batch.Count; i++)
            {
                var savepoint = "w" + i.ToString(CultureInfo.InvariantCulture);
                transaction.Save(savepoint);
                try
                {
                    await batch[i].RunAsync(transaction).ConfigureAwait(false);
                    transaction.Release(savepoint);
                }
#pragma warning disable CA1031 // the failure belongs to that one write; the batch goes on
                catch (Exception e)
#pragma warning restore CA1031
                {
                    transaction.Rollback(savepoint);
                    transaction.Release(savepoint);
                    batch[i].Error = e is SqliteException sql ? new InternalException($"store \"{Path}\": {sql.Message}", sql) : e;
                }
            }
            await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // a failed BEGIN/COMMIT fails every write of the batch
        catch (Exception e)
#pragma warning restore CA1031
        {
            var error = new InternalException($"store \"{Path}\": commit failed: {e.Message}", e);
            foreach (var write in batch)
            {
                write.Error ??= error;
                write.Finish();
            }
            return;
        }
        foreach (var write in batch)
        {
            write.Finish();
        }
    }

    private abstract class PendingWrite
    {
        public Exception? Error { get; set; }

        public abstract Task RunAsync(SqliteTransaction transaction);

        public abstract void Finish();
    }

    private sealed class PendingWrite<T>(Func<SqliteTransaction, CancellationToken, Task<T>> body) : PendingWrite
    {
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T? _result;

        public Task<T> Task => _completion.Task;

        public override async Task RunAsync(SqliteTransaction transaction) =>
            _result = await body(transaction, CancellationToken.None).ConfigureAwait(false);

        public override void Finish()
        {
            if (Error is not null)
            {
                _completion.TrySetException(Error);
            }
            else
            {
                _completion.TrySetResult(_result!);
            }
        }
    }

    private async Task<KeyValueEntry?> ReadEntryAsync(SqliteTransaction? transaction, string key, CancellationToken cancellationToken)
    {
        using var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT value, mod_revision, create_revision FROM kv WHERE key = $key";
        command.Parameters.AddWithValue("$key", key);
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }
        return new KeyValueEntry(key, (byte[])reader.GetValue(0), reader.GetInt64(1), reader.GetInt64(2));
    }

    private async Task<long> ReadRevisionAsync(SqliteTransaction? transaction, CancellationToken cancellationToken)
    {
        using var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT value FROM meta WHERE name = 'revision'";
        var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return Convert.ToInt64(value, CultureInfo.InvariantCulture);
    }

    private async Task<long> BumpRevisionAsync(SqliteTransaction transaction, CancellationToken cancellationToken)
    {
        using var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "UPDATE meta SET value = value + 1 WHERE name = 'revision' RETURNING value";
        var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return Convert.ToInt64(value, CultureInfo.InvariantCulture);
    }

    private async Task UpsertAsync(SqliteTransaction transaction, string key, ReadOnlyMemory<byte> value, long revision, CancellationToken cancellationToken)
    {
        using var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO kv (key, value, create_revision, mod_revision) VALUES ($key, $value, $rev, $rev)
            ON CONFLICT(key) DO UPDATE SET value = excluded.value, mod_revision = excluded.mod_revision
            """;
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$value", value.ToArray());
        command.Parameters.AddWithValue("$rev", revision);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task RemoveAsync(SqliteTransaction transaction, string key, CancellationToken cancellationToken)
    {
        using var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "DELETE FROM kv WHERE key = $key";
        command.Parameters.AddWithValue("$key", key);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
