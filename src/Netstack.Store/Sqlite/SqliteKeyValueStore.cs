using System.Globalization;
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
/// connection avoids SQLITE_BUSY inside the process.</para>
/// </summary>
public sealed class SqliteKeyValueStore : IKeyValueStore
{
    private readonly SqliteConnection _connection;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private bool _disposed;

    private SqliteKeyValueStore(SqliteConnection connection, string path)
    {
        _connection = connection;
        Path = path;
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
        return await WriteAsync(async (transaction, ct) =>
        {
            var current = await ReadEntryAsync(transaction, key, ct).ConfigureAwait(false);
            TransactionRules.CheckSingle(key, expectedRevision, current?.Revision ?? 0);
            var revision = await BumpRevisionAsync(transaction, ct).ConfigureAwait(false);
            await UpsertAsync(transaction, key, value, revision, ct).ConfigureAwait(false);
            return revision;
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> DeleteAsync(string key, long? expectedRevision = null, CancellationToken cancellationToken = default)
    {
        StoreKeys.Validate(key);
        return await WriteAsync(async (transaction, ct) =>
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
    }

    public async Task<TransactionResult> CommitAsync(StoreTransaction transaction, CancellationToken cancellationToken = default)
    {
        TransactionRules.Validate(transaction);
        return await WriteAsync(async (sqlTransaction, ct) =>
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
    }

    public async ValueTask DisposeAsync()
    {
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

    /// <summary>Runs <paramref name="body"/> in one <c>BEGIN IMMEDIATE</c> transaction: committed if it returns, rolled back if it throws.</summary>
    private async Task<T> WriteAsync<T>(Func<SqliteTransaction, CancellationToken, Task<T>> body, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            // Writes are not cancelled once begun: a half-applied cancellation would only roll back anyway,
            // and finishing keeps the revision counter and the caller's view consistent.
            // deferred: false takes the write lock at BEGIN (BEGIN IMMEDIATE), so a reader cannot upgrade into a deadlock.
            using var transaction = _connection.BeginTransaction(deferred: false);
            try
            {
                var result = await body(transaction, CancellationToken.None).ConfigureAwait(false);
                await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
                return result;
            }
            catch
            {
                await transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
                throw;
            }
        }
        catch (SqliteException e)
        {
            throw new InternalException($"store \"{Path}\": {e.Message}", e);
        }
        finally
        {
            _gate.Release();
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
