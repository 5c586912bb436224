using System.Runtime.CompilerServices;
using System.Threading.Channels;
using dotnet_etcd;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using Netstack.Core;
using Netstack.Core.Storage;

namespace Netstack.Store.Etcd;

/// <summary>
/// The global store on etcd v3 (gRPC through dotnet-etcd). Every key lives under
/// <see cref="EtcdStoreOptions.Prefix"/>; an entry's <see cref="KeyValueEntry.Revision"/> is etcd's
/// <c>mod_revision</c>, so compare-and-swap is a <c>Txn</c> comparing it (0 = absent). Each call has a
/// deadline (<see cref="EtcdStoreOptions.Timeout"/>): an unreachable etcd fails fast with
/// <see cref="UnavailableException"/> naming the store, never a hang.
/// </summary>
public sealed class EtcdKeyValueStore : IClusterStore
{
    private readonly EtcdClient _client;
    private readonly EtcdStoreOptions _options;
    private readonly string _prefix;

    public EtcdKeyValueStore(EtcdStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _prefix = options.Prefix.EndsWith('/') ? options.Prefix : options.Prefix + "/";
        var endpoints = string.Join(",", options.Endpoints.Select(e => $"{(options.Tls is null ? "http" : "https")}://{e}"));
        _client = options.Tls is null
            ? new EtcdClient(endpoints, configureChannelOptions: o => Reconnect(o, ChannelCredentials.Insecure))
            : new EtcdClient(endpoints, configureChannelOptions: o => Reconnect(o, null), configureSslOptions: options.Tls.Configure);
    }

    public string Address => _options.Address;

    /// <summary>
    /// gRPC's reconnect back-off grows to two minutes by default: after a long etcd outage the
    /// daemon would take that long to see the store again. Capped at 2 s, a restarted etcd is used
    /// again within the next call or two.
    /// </summary>
    private static void Reconnect(Grpc.Net.Client.GrpcChannelOptions options, ChannelCredentials? credentials)
    {
        if (credentials is not null)
        {
            options.Credentials = credentials;
        }
        options.InitialReconnectBackoff = TimeSpan.FromMilliseconds(200);
        options.MaxReconnectBackoff = TimeSpan.FromSeconds(2);
    }

    public async Task<KeyValueEntry?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        StoreKeys.Validate(key);
        var response = await CallAsync(d => _client.GetAsync(new RangeRequest { Key = Bytes(key) }, null, d, cancellationToken)).ConfigureAwait(false);
        return response.Kvs.Count == 0 ? null : ToEntry(response.Kvs[0]);
    }

    public async Task<IReadOnlyList<KeyValueEntry>> ListAsync(string prefix, CancellationToken cancellationToken = default) =>
        (await SnapshotAsync(prefix, cancellationToken).ConfigureAwait(false)).Entries;

    public async Task<(IReadOnlyList<KeyValueEntry> Entries, long Revision)> SnapshotAsync(string prefix, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var start = Bytes(prefix);
        var response = await CallAsync(d => _client.GetAsync(new RangeRequest
        {
            Key = start,
            RangeEnd = PrefixEnd(start),
            SortOrder = RangeRequest.Types.SortOrder.Ascend,
            SortTarget = RangeRequest.Types.SortTarget.Key,
        }, null, d, cancellationToken)).ConfigureAwait(false);
        return (response.Kvs.Select(ToEntry).ToArray(), response.Header.Revision);
    }

    public async Task<long> PutAsync(string key, ReadOnlyMemory<byte> value, long? expectedRevision = null, CancellationToken cancellationToken = default)
    {
        StoreKeys.Validate(key);
        StoreFailPoints.Before(key);
        var put = new PutRequest { Key = Bytes(key), Value = ByteString.CopyFrom(value.Span) };
        long revision;
        if (expectedRevision is not { } expected)
        {
            revision = (await CallAsync(d => _client.PutAsync(put, null, d, cancellationToken)).ConfigureAwait(false)).Header.Revision;
        }
        else
        {
            revision = (await CompareAndSwapAsync(key, expected, new RequestOp { RequestPut = put }, cancellationToken).ConfigureAwait(false)).Header.Revision;
        }
        StoreFailPoints.After(key);
        return revision;
    }

    public async Task<bool> DeleteAsync(string key, long? expectedRevision = null, CancellationToken cancellationToken = default)
    {
        StoreKeys.Validate(key);
        StoreFailPoints.Before(key);
        var delete = new DeleteRangeRequest { Key = Bytes(key) };
        bool deleted;
        if (expectedRevision is not { } expected)
        {
            deleted = (await CallAsync(d => _client.DeleteAsync(delete, null, d, cancellationToken)).ConfigureAwait(false)).Deleted > 0;
        }
        else
        {
            deleted = (await CompareAndSwapAsync(key, expected, new RequestOp { RequestDeleteRange = delete }, cancellationToken).ConfigureAwait(false)).Responses[0].ResponseDeleteRange.Deleted > 0;
        }
        if (deleted)
        {
            StoreFailPoints.After(key);
        }
        return deleted;
    }

    public async Task<TransactionResult> CommitAsync(StoreTransaction transaction, CancellationToken cancellationToken = default)
    {
        TransactionRules.Validate(transaction);
        var txn = new TxnRequest();
        foreach (var condition in transaction.Conditions)
        {
            txn.Compare.Add(ModRevisionIs(condition.Key, condition.Revision));
        }
        foreach (var op in transaction.Operations)
        {
            txn.Success.Add(op.IsDelete
                ? new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = Bytes(op.Key) } }
                : new RequestOp { RequestPut = new PutRequest { Key = Bytes(op.Key), Value = ByteString.CopyFrom(op.Value.Span) } });
        }
        StoreFailPoints.Before(transaction);
        var result = await CallAsync(d => _client.TransactionAsync(txn, null, d, cancellationToken)).ConfigureAwait(false);
        if (result.Succeeded)
        {
            StoreFailPoints.After(transaction);
        }
        return new TransactionResult(result.Succeeded, result.Header.Revision);
    }

    public async IAsyncEnumerable<StoreChange> WatchAsync(string prefix, long fromRevision, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var next = Math.Max(1, fromRevision);
        while (!cancellationToken.IsCancellationRequested)
        {
            // One watch stream; when it drops, a new one starts after the last revision delivered,
            // so no change is lost and none is seen twice.
            var changes = Channel.CreateUnbounded<StoreChange>();
            long compacted = 0;
            using var stream = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var request = new WatchRequest
            {
                CreateRequest = new WatchCreateRequest { Key = Bytes(prefix), RangeEnd = PrefixEnd(Bytes(prefix)), StartRevision = next },
            };
            var watching = Task.Run(async () =>
            {
                try
                {
                    await _client.WatchAsync(request, (WatchResponse r) =>
                    {
                        if (r.CompactRevision > 0)
                        {
                            compacted = r.CompactRevision;
                            changes.Writer.TryComplete();
                            return;
                        }
                        foreach (var e in r.Events)
                        {
                            changes.Writer.TryWrite(new StoreChange(
                                Unprefixed(e.Kv.Key), e.Kv.Value.Memory, e.Kv.ModRevision, e.Type == Mvccpb.Event.Types.EventType.Delete));
                        }
                    }, null, null, stream.Token).ConfigureAwait(false);
                    // The client returns once the watch is created and reconnects it by itself;
                    // events keep arriving through the callback until the stream is cancelled.
                    await Task.Delay(Timeout.Infinite, stream.Token).ConfigureAwait(false);
                }
                catch (Exception)
                {
                    // A dropped stream (etcd gone, member killed): resumed below after a pause.
                }
                finally
                {
                    changes.Writer.TryComplete();
                }
            }, CancellationToken.None);

            while (await WaitToReadAsync(changes.Reader, cancellationToken).ConfigureAwait(false))
            {
                while (changes.Reader.TryRead(out var change))
                {
                    if (change.Revision < next)
                    {
                        continue;
                    }
                    // Several events of one transaction share a revision; etcd sends them in one
                    // response, so a resumed stream starts after that revision (next++ below).
                    next = change.Revision;
                    yield return change;
                }
                if (changes.Reader.Completion.IsCompleted)
                {
                    break;
                }
            }
            await stream.CancelAsync().ConfigureAwait(false);
            await watching.ConfigureAwait(false);
            if (compacted > 0)
            {
                throw new StoreCompactedException(next, compacted);
            }
            next++;
            if (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(_options.WatchRetryDelay, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public async Task<long> GrantLeaseAsync(TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        var seconds = (long)Math.Max(1, Math.Ceiling(ttl.TotalSeconds));
        var response = await CallAsync(d => _client.LeaseGrantAsync(new LeaseGrantRequest { TTL = seconds }, null, d, cancellationToken)).ConfigureAwait(false);
        return response.ID;
    }

    public Task KeepLeaseAliveAsync(long leaseId, CancellationToken cancellationToken) => _client.LeaseKeepAlive(leaseId, cancellationToken);

    public async Task RevokeLeaseAsync(long leaseId, CancellationToken cancellationToken = default)
    {
        try
        {
            await CallAsync(d => _client.LeaseRevokeAsync(new LeaseRevokeRequest { ID = leaseId }, null, d, cancellationToken)).ConfigureAwait(false);
        }
        catch (NotFoundException)
        {
            // Expired already: its keys are gone.
        }
    }

    public async Task<long> PutWithLeaseAsync(string key, ReadOnlyMemory<byte> value, long leaseId, CancellationToken cancellationToken = default)
    {
        StoreKeys.Validate(key);
        var response = await CallAsync(d => _client.PutAsync(new PutRequest { Key = Bytes(key), Value = ByteString.CopyFrom(value.Span), Lease = leaseId }, null, d, cancellationToken)).ConfigureAwait(false);
        return response.Header.Revision;
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Applies <paramref name="operation"/> only if the key is at <paramref name="expected"/> (0 = absent);
    /// otherwise reads the key in the same Txn, to report the revision it found.
    /// </summary>
    private async Task<TxnResponse> CompareAndSwapAsync(string key, long expected, RequestOp operation, CancellationToken cancellationToken)
    {
        var txn = new TxnRequest();
        txn.Compare.Add(ModRevisionIs(key, expected));
        txn.Success.Add(operation);
        txn.Failure.Add(new RequestOp { RequestRange = new RangeRequest { Key = Bytes(key) } });
        var result = await CallAsync(d => _client.TransactionAsync(txn, null, d, cancellationToken)).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new StoreConflictException(key, expected, ActualRevision(result));
        }
        return result;
    }

    private static async Task<bool> WaitToReadAsync(ChannelReader<StoreChange> reader, CancellationToken cancellationToken)
    {
        try
        {
            return await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>
    /// Runs one RPC; gRPC failures become Netstack errors that name the store. Each attempt has the
    /// store's deadline; a refused connection (etcd restarting) is tried again within it. With several members, an attempt that finds its member gone (Unavailable)
    /// or gets no answer in time (a leader election under way: the surviving members hold requests
    /// until they have a leader) is tried again, on whichever member the channel picks, until
    /// <see cref="EtcdStoreOptions.FailoverTimeout"/>. A retried write that had in fact been applied
    /// is harmless: puts and deletes are idempotent, and a compare-and-swap reports a conflict that
    /// its caller resolves by reading again.
    /// </summary>
    private async Task<T> CallAsync<T>(Func<DateTime, Task<T>> call)
    {
        var failover = _options.Endpoints.Count > 1;
        var giveUp = DateTime.UtcNow + (failover ? _options.FailoverTimeout : _options.Timeout);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                var deadline = Min(DateTime.UtcNow + _options.Timeout, giveUp);
                try
                {
                    return await call(deadline).ConfigureAwait(false);
                }
                catch (RpcException e) when ((e.StatusCode == StatusCode.Unavailable || (failover && e.StatusCode == StatusCode.DeadlineExceeded))
                    && DateTime.UtcNow + Backoff(attempt) < giveUp)
                {
                    await Task.Delay(Backoff(attempt)).ConfigureAwait(false);
                }
            }
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Internal or StatusCode.Unknown)
        {
            var detail = string.IsNullOrEmpty(e.Status.Detail) ? e.StatusCode.ToString() : $"{e.StatusCode}: {e.Status.Detail}";
            throw new UnavailableException($"cluster store {Address} is unreachable: {detail}", e);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            throw new NotFoundException("lease", e.Status.Detail);
        }
        catch (RpcException e)
        {
            throw new UnavailableException($"cluster store {Address} refused the request: {e.StatusCode} {e.Status.Detail}", e);
        }
    }

    private static TimeSpan Backoff(int attempt) => TimeSpan.FromMilliseconds(Math.Min(50 * attempt, 500));

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;

    private ByteString Bytes(string key) => ByteString.CopyFromUtf8(_prefix + key);

    private string Unprefixed(ByteString key)
    {
        var text = key.ToStringUtf8();
        return text.StartsWith(_prefix, StringComparison.Ordinal) ? text[_prefix.Length..] : text;
    }

    private KeyValueEntry ToEntry(Mvccpb.KeyValue kv) => new(Unprefixed(kv.Key), kv.Value.Memory, kv.ModRevision, kv.CreateRevision);

    private Compare ModRevisionIs(string key, long revision) => new()
    {
        Key = Bytes(key),
        Target = Compare.Types.CompareTarget.Mod,
        Result = Compare.Types.CompareResult.Equal,
        ModRevision = revision,
    };

    private static long ActualRevision(TxnResponse failed) =>
        failed.Responses.Count > 0 && failed.Responses[0].ResponseRange is { Kvs.Count: > 0 } range ? range.Kvs[0].ModRevision : 0;

    /// <summary>The end of a prefix range: the prefix with its last byte incremented (etcd's <c>clientv3.GetPrefixRangeEnd</c>).</summary>
    private static ByteString PrefixEnd(ByteString prefix)
    {
        var end = prefix.ToByteArray();
        for (var i = end.Length - 1; i >= 0; i--)
        {
            if (end[i] < 0xff)
            {
                end[i]++;
                return ByteString.CopyFrom(end, 0, i + 1);
            }
        }
        return ByteString.CopyFrom([0]);
    }
}
