using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Netstack.Core;
using Netstack.Core.Ipam;
using Netstack.Core.Storage;

namespace Netstack.Ipam;

/// <summary>
/// Netstack's built-in IPAM (<c>default</c>). State in the store:
/// <list type="bullet">
/// <item><c>ipam/&lt;space&gt;/pools</c>: every reserved pool of the space, one key, changed by compare-and-swap.</item>
/// <item><c>ipam/&lt;space&gt;/addresses/&lt;subnet&gt;/&lt;ip&gt;</c>: one key per taken address, written create-only,
/// so two allocators (threads, or daemons on a shared etcd) can never both take an address.</item>
/// </list>
/// Local spaces use the local store, <c>GlobalDefault</c> the global store. Each pool keeps an in-memory
/// run-length bitmap loaded once from the store; a per-pool lock serializes allocation in this process.
/// In the global space an address key holds its owner (<c>{"owner":"node"}</c>), so each node's
/// reconcile releases only what it leaked; since other nodes release addresses without telling this
/// one, a global pool that looks exhausted is reloaded from the store once before saying so.
/// </summary>
public sealed partial class DefaultIpamDriver : IIpamDriver, IIpamAddressOwners
{
    public const string DriverName = "default";

    private static readonly byte[] Marker = "{}"u8.ToArray();

    private readonly IKeyValueStore _localStore;
    private readonly IKeyValueStore? _globalStore;
    private readonly IHostRouteSource _hostRoutes;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, PoolState> _pools = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _spaceLocks = new(StringComparer.Ordinal);
    private readonly byte[] _globalMarker;

    public DefaultIpamDriver(IKeyValueStore localStore, IKeyValueStore? globalStore = null, IHostRouteSource? hostRoutes = null, ILogger<DefaultIpamDriver>? logger = null, string? nodeName = null)
    {
        _localStore = localStore ?? throw new ArgumentNullException(nameof(localStore));
        _globalStore = globalStore;
        NodeName = nodeName ?? System.Net.Dns.GetHostName();
        _globalMarker = JsonSerializer.SerializeToUtf8Bytes(new AddressOwner(NodeName), IpamJsonContext.Default.AddressOwner);
        _hostRoutes = hostRoutes ?? NoHostRoutes.Instance;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    public string Name => DriverName;

    /// <summary>The owner written on this node's global addresses.</summary>
    public string NodeName { get; }

    public async Task<PoolReservation> RequestPoolAsync(PoolRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var store = StoreFor(request.AddressSpace);
        var family = request.Subnet?.BaseAddress.AddressFamily ?? (request.IPv6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork);
        if (request.Subnet is { } given && request.IPv6 != (given.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6))
        {
            throw new InvalidParameterException("subnet", given.ToString(), request.IPv6 ? "an IPv6 pool needs an IPv6 subnet" : "an IPv4 pool needs an IPv4 subnet");
        }
        if (request.IpRange is { } range)
        {
            if (request.Subnet is not { } subnet)
            {
                throw new InvalidParameterException("ip-range", range.ToString(), "an ip-range needs a subnet");
            }
            if (!IPNetworkMath.ContainsNetwork(subnet, range))
            {
                throw new InvalidParameterException("ip-range", range.ToString(), $"not inside subnet {subnet}");
            }
        }
        var serial = IsTrue(request.Options, DockerOptions.IpamSerial);

        var spaceLock = _spaceLocks.GetOrAdd(request.AddressSpace, _ => new SemaphoreSlim(1, 1));
        await spaceLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var routed = request.Subnet is null ? await _hostRoutes.GetRoutedNetworksAsync(cancellationToken).ConfigureAwait(false) : [];
            for (var attempt = 0; ; attempt++)
            {
                var (registry, revision) = await ReadRegistryAsync(store, request.AddressSpace, cancellationToken).ConfigureAwait(false);
                var existing = registry.Pools.Select(p => IPNetwork.Parse(p.Subnet)).ToList();
                IPNetwork chosen;
                if (request.Subnet is { } subnet)
                {
                    foreach (var other in existing)
                    {
                        if (IPNetworkMath.Overlaps(subnet, other))
                        {
                            throw new ConflictException($"subnet {subnet} overlaps with subnet {other} of another network (address space {request.AddressSpace})");
                        }
                    }
                    chosen = subnet;
                }
                else
                {
                    // Exhaustion is answered as a conflict (409): the user can fix it with --subnet or by
                    // removing networks; it is not a fault of the daemon.
                    chosen = PickPredefined(request.AddressSpace, family, existing, routed)
                        ?? throw new ConflictException($"all predefined {(family == AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4")} address pools of {request.AddressSpace} are in use or routed on the host; give a --subnet");
                }

                var id = new PoolId(request.AddressSpace, chosen, request.IpRange);
                // A global pool names the node that reserved it: a crash before its network's record
                // holds it leaves a pool only that node's reconcile may release (ListPoolOwnersAsync).
                var owner = request.AddressSpace == IpamAddressSpaces.Global ? NodeName : null;
                var pools = registry.Pools.Append(new PoolRecord(chosen.ToString(), request.IpRange?.ToString(), serial, owner)).ToList();
                // Address keys left by a crash between a pool's release and its store write are stale: drop them with the reservation.
                var stale = await store.ListAsync(AddressPrefix(id), cancellationToken).ConfigureAwait(false);
                var transaction = new StoreTransaction().IfRevision(RegistryKey(request.AddressSpace), revision)
                    .Put(RegistryKey(request.AddressSpace), JsonSerializer.SerializeToUtf8Bytes(new PoolRegistry(pools), IpamJsonContext.Default.PoolRegistry));
                foreach (var entry in stale)
                {
                    transaction.Delete(entry.Key);
                }
                TransactionResult result;
                try
                {
                    result = await store.CommitAsync(transaction, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Failed, yet perhaps written: the caller hears of no pool, so none may stay reserved.
                    await ForgetReservationAsync(id, store).ConfigureAwait(false);
                    throw;
                }
                if (result.Succeeded)
                {
                    _pools[SubnetKeyOf(id)] = new PoolState(chosen, request.IpRange, serial) { Loaded = true };
                    LogPoolReserved(id.ToString());
                    return new PoolReservation { PoolId = id.ToString(), Subnet = chosen, IpRange = request.IpRange };
                }
                if (attempt >= 32)
                {
                    throw new ConflictException($"address space {request.AddressSpace} keeps changing; pool reservation gave up after {attempt + 1} attempts");
                }
            }
        }
        finally
        {
            spaceLock.Release();
        }
    }

    public async Task ReleasePoolAsync(string poolId, CancellationToken cancellationToken)
    {
        var id = PoolId.Parse(poolId);
        var store = StoreFor(id.AddressSpace);
        var spaceLock = _spaceLocks.GetOrAdd(id.AddressSpace, _ => new SemaphoreSlim(1, 1));
        await spaceLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await ReleasePoolLockedAsync(id, store, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            spaceLock.Release();
        }
    }

    /// <summary>Takes back a reservation whose store write failed but may have been applied. Best effort: the start-up sweep releases unused pools.</summary>
    private async Task ForgetReservationAsync(PoolId id, IKeyValueStore store)
    {
        try
        {
            await ReleasePoolLockedAsync(id, store, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // best effort, see above
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    /// <summary>Removes a pool and its address keys from the store; the caller holds the space's lock.</summary>
    private async Task ReleasePoolLockedAsync(PoolId id, IKeyValueStore store, CancellationToken cancellationToken)
    {
        var poolId = id.ToString();
        {
            for (var attempt = 0; ; attempt++)
            {
                var (registry, revision) = await ReadRegistryAsync(store, id.AddressSpace, cancellationToken).ConfigureAwait(false);
                var subnet = id.Subnet.ToString();
                var pools = registry.Pools.Where(p => p.Subnet != subnet).ToList();
                var addresses = await store.ListAsync(AddressPrefix(id), cancellationToken).ConfigureAwait(false);
                if (pools.Count == registry.Pools.Count && addresses.Count == 0)
                {
                    _pools.TryRemove(SubnetKeyOf(id), out _);
                    return;
                }
                var transaction = new StoreTransaction().IfRevision(RegistryKey(id.AddressSpace), revision)
                    .Put(RegistryKey(id.AddressSpace), JsonSerializer.SerializeToUtf8Bytes(new PoolRegistry(pools), IpamJsonContext.Default.PoolRegistry));
                foreach (var entry in addresses)
                {
                    transaction.IfRevision(entry.Key, entry.Revision).Delete(entry.Key);
                }
                if ((await store.CommitAsync(transaction, cancellationToken).ConfigureAwait(false)).Succeeded)
                {
                    _pools.TryRemove(SubnetKeyOf(id), out _);
                    LogPoolReleased(poolId);
                    return;
                }
                if (attempt >= 32)
                {
                    throw new ConflictException($"pool {poolId} keeps changing; release gave up after {attempt + 1} attempts");
                }
            }
        }
    }

    public async Task<CidrAddress> RequestAddressAsync(string poolId, IPAddress? preferred, IReadOnlyDictionary<string, string> options, CancellationToken cancellationToken)
    {
        var id = PoolId.Parse(poolId);
        var store = StoreFor(id.AddressSpace);
        var pool = await GetPoolAsync(id, store, cancellationToken).ConfigureAwait(false);
        await pool.Lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await EnsureLoadedAsync(id, pool, store, cancellationToken).ConfigureAwait(false);
            if (preferred is not null)
            {
                var n = CheckPreferred(pool, preferred);
                if (pool.Taken.Contains(n))
                {
                    throw new ConflictException($"address {preferred} is already in use in {pool.Subnet}");
                }
                if (!await TryTakeAsync(id, pool, store, n, cancellationToken).ConfigureAwait(false))
                {
                    throw new ConflictException($"address {preferred} is already in use in {pool.Subnet}");
                }
                return new CidrAddress(preferred, pool.Subnet.PrefixLength);
            }

            // The gateway comes from the whole subnet even when an ip-range narrows the endpoints
            // (Docker: subnet 10.0.0.0/16 with range 10.0.5.0/24 gets gateway 10.0.0.1).
            var gateway = options is not null && options.TryGetValue(DockerOptions.RequestAddressType, out var type) && type == DockerOptions.Gateway;
            var (low, high) = gateway ? (pool.UsableFirst, pool.UsableLast) : (pool.RangeFirst, pool.RangeLast);
            var serial = pool.Serial || IsTrue(options, DockerOptions.IpamSerial);
            var reloaded = false;
            while (true)
            {
                var candidate = serial && pool.Last is { } last && last < UInt128.MaxValue
                    ? pool.Taken.NextFree(last + 1, low, high)
                    : pool.Taken.FirstFree(low, high);
                if (candidate is null && id.AddressSpace == IpamAddressSpaces.Global && !reloaded)
                {
                    // Other nodes may have released addresses this node still counts as taken.
                    reloaded = true;
                    pool.Taken.Clear();
                    pool.Loaded = false;
                    await EnsureLoadedAsync(id, pool, store, cancellationToken).ConfigureAwait(false);
                    continue;
                }
                if (candidate is not { } n)
                {
                    var where = gateway || pool.Range is null ? pool.Subnet.ToString() : $"ip-range {pool.Range}";
                    throw new ConflictException($"no available addresses in {where} (pool {poolId} is exhausted)");
                }
                if (await TryTakeAsync(id, pool, store, n, cancellationToken).ConfigureAwait(false))
                {
                    return new CidrAddress(IPNetworkMath.FromNumber(n, pool.Family), pool.Subnet.PrefixLength);
                }
                // Taken by another allocator sharing the store: TryTake marked it, look further.
            }
        }
        finally
        {
            pool.Lock.Release();
        }
    }

    public async Task ReleaseAddressAsync(string poolId, IPAddress address, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        var id = PoolId.Parse(poolId);
        var store = StoreFor(id.AddressSpace);
        long? expected = null;
        if (id.AddressSpace == IpamAddressSpaces.Global)
        {
            expected = await OwnRevisionAsync(store, id, address, cancellationToken).ConfigureAwait(false);
            if (expected is null)
            {
                // Another node's address (released and taken again since this node had it): never ours to free.
                LogNotOwner(address.ToString(), poolId);
                return;
            }
        }
        if (!_pools.TryGetValue(SubnetKeyOf(id), out var pool))
        {
            // Pool unknown here (released, or not loaded yet): deleting the key is all there is to do.
            await DeleteAddressKeyAsync(store, AddressKey(id, address), expected, cancellationToken).ConfigureAwait(false);
            return;
        }
        // The key goes first, outside the pool's lock: until the address leaves the taken set
        // below no allocation can hand it out, so the store never holds a key for an address
        // given to someone else. Under the lock, releases of many endpoints at once (rm -f of
        // many containers) would each wait for their own commit in turn; outside it, their
        // deletions share the store's group commits.
        await DeleteAddressKeyAsync(store, AddressKey(id, address), expected, cancellationToken).ConfigureAwait(false);
        await pool.Lock.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            if (address.AddressFamily == pool.Family)
            {
                pool.Taken.Remove(IPNetworkMath.ToNumber(address));
            }
        }
        finally
        {
            pool.Lock.Release();
        }
    }

    public async Task<IReadOnlyList<string>> ListPoolsAsync(string addressSpace, CancellationToken cancellationToken)
    {
        var store = StoreFor(addressSpace);
        var (registry, _) = await ReadRegistryAsync(store, addressSpace, cancellationToken).ConfigureAwait(false);
        return registry.Pools
            .Select(p => new PoolId(addressSpace, IPNetwork.Parse(p.Subnet), p.IpRange is null ? null : IPNetwork.Parse(p.IpRange)).ToString())
            .ToArray();
    }

    public async Task<IReadOnlyList<(string PoolId, string Owner)>> ListPoolOwnersAsync(string addressSpace, CancellationToken cancellationToken)
    {
        var store = StoreFor(addressSpace);
        var (registry, _) = await ReadRegistryAsync(store, addressSpace, cancellationToken).ConfigureAwait(false);
        return registry.Pools
            .Select(p => (new PoolId(addressSpace, IPNetwork.Parse(p.Subnet), p.IpRange is null ? null : IPNetwork.Parse(p.IpRange)).ToString(), p.Owner ?? string.Empty))
            .ToArray();
    }

    /// <summary>The revision to delete a global address key at: 0 when absent, its revision when this node wrote it, null when another node holds it.</summary>
    private async Task<long?> OwnRevisionAsync(IKeyValueStore store, PoolId id, IPAddress address, CancellationToken cancellationToken)
    {
        var entry = await store.GetAsync(AddressKey(id, address), cancellationToken).ConfigureAwait(false);
        if (entry is null)
        {
            return 0;
        }
        try
        {
            var owner = JsonSerializer.Deserialize(entry.Value.Span, IpamJsonContext.Default.AddressOwner)?.Owner;
            return string.IsNullOrEmpty(owner) || owner == NodeName ? entry.Revision : null;
        }
        catch (JsonException)
        {
            return entry.Revision;
        }
    }

    /// <summary>Deletes an address key; in the global space only at the revision this node saw as its own.</summary>
    private static async Task DeleteAddressKeyAsync(IKeyValueStore store, string key, long? expected, CancellationToken cancellationToken)
    {
        if (expected is 0)
        {
            return;
        }
        try
        {
            await store.DeleteAsync(key, expected, cancellationToken).ConfigureAwait(false);
        }
        catch (StoreConflictException)
        {
            // Changed hands between the read and the delete: it is someone else's now.
        }
    }

    public async Task<IReadOnlyList<(IPAddress Address, string Owner)>> ListAddressOwnersAsync(string poolId, CancellationToken cancellationToken)
    {
        var id = PoolId.Parse(poolId);
        var store = StoreFor(id.AddressSpace);
        var prefix = AddressPrefix(id);
        var result = new List<(IPAddress, string)>();
        foreach (var entry in await store.ListAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            if (!IPAddress.TryParse(entry.Key.AsSpan(prefix.Length), out var address))
            {
                continue;
            }
            string owner;
            try
            {
                owner = JsonSerializer.Deserialize(entry.Value.Span, IpamJsonContext.Default.AddressOwner)?.Owner ?? string.Empty;
            }
            catch (JsonException)
            {
                owner = string.Empty;
            }
            result.Add((address, owner));
        }
        return result;
    }

    public async Task<IReadOnlyList<IPAddress>> ListAddressesAsync(string poolId, CancellationToken cancellationToken)
    {
        var id = PoolId.Parse(poolId);
        var store = StoreFor(id.AddressSpace);
        var entries = await store.ListAsync(AddressPrefix(id), cancellationToken).ConfigureAwait(false);
        var prefix = AddressPrefix(id);
        return entries.Select(e => IPAddress.Parse(e.Key.AsSpan(prefix.Length))).ToArray();
    }

    private static UInt128 CheckPreferred(PoolState pool, IPAddress preferred)
    {
        if (preferred.AddressFamily != pool.Family || !pool.Subnet.Contains(preferred))
        {
            throw new InvalidParameterException("ip", preferred.ToString(), $"not in subnet {pool.Subnet}");
        }
        var n = IPNetworkMath.ToNumber(preferred);
        if (n < pool.UsableFirst || n > pool.UsableLast)
        {
            var what = n == pool.SubnetFirst ? "the subnet's network address" : "the subnet's broadcast address";
            throw new InvalidParameterException("ip", preferred.ToString(), $"{what} cannot be assigned ({pool.Subnet})");
        }
        return n;
    }

    /// <summary>Takes an address in the store (create-only) and in memory. False when the store already had it.</summary>
    private async Task<bool> TryTakeAsync(PoolId id, PoolState pool, IKeyValueStore store, UInt128 n, CancellationToken cancellationToken)
    {
        var address = IPNetworkMath.FromNumber(n, pool.Family);
        var marker = id.AddressSpace == IpamAddressSpaces.Global ? _globalMarker : Marker;
        try
        {
            await store.PutAsync(AddressKey(id, address), marker, expectedRevision: 0, cancellationToken).ConfigureAwait(false);
        }
        catch (StoreConflictException)
        {
            pool.Taken.Add(n);
            return false;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Failed, yet perhaps written (a commit that failed after its fsync, an etcd answer
            // lost): the caller hears of no address, so none may stay taken in the store.
            await ForgetTakeAsync(store, AddressKey(id, address), marker).ConfigureAwait(false);
            throw;
        }
        pool.Taken.Add(n);
        pool.Last = n;
        return true;
    }

    /// <summary>Deletes an address key of unknown outcome while it holds this allocator's own marker (another node's stays). Best effort: the start-up reconcile frees what is left.</summary>
    private static async Task ForgetTakeAsync(IKeyValueStore store, string key, byte[] marker)
    {
        try
        {
            if (await store.GetAsync(key, CancellationToken.None).ConfigureAwait(false) is { } entry && entry.Value.Span.SequenceEqual(marker))
            {
                await store.DeleteAsync(key, entry.Revision, CancellationToken.None).ConfigureAwait(false);
            }
        }
#pragma warning disable CA1031 // best effort, see above
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private async Task<PoolState> GetPoolAsync(PoolId id, IKeyValueStore store, CancellationToken cancellationToken)
    {
        if (_pools.TryGetValue(SubnetKeyOf(id), out var pool))
        {
            return pool;
        }
        var (registry, _) = await ReadRegistryAsync(store, id.AddressSpace, cancellationToken).ConfigureAwait(false);
        var subnet = id.Subnet.ToString();
        var record = registry.Pools.FirstOrDefault(p => p.Subnet == subnet)
            ?? throw new NotFoundException("address pool", id.ToString());
        var range = record.IpRange is null ? (IPNetwork?)null : IPNetwork.Parse(record.IpRange);
        return _pools.GetOrAdd(SubnetKeyOf(id), _ => new PoolState(id.Subnet, range, record.Serial));
    }

    private static async Task EnsureLoadedAsync(PoolId id, PoolState pool, IKeyValueStore store, CancellationToken cancellationToken)
    {
        if (pool.Loaded)
        {
            return;
        }
        var prefix = AddressPrefix(id);
        foreach (var entry in await store.ListAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            if (IPAddress.TryParse(entry.Key.AsSpan(prefix.Length), out var address) && address.AddressFamily == pool.Family)
            {
                var n = IPNetworkMath.ToNumber(address);
                pool.Taken.Add(n);
                if (pool.Last is not { } last || n > last)
                {
                    pool.Last = n;
                }
            }
        }
        pool.Loaded = true;
    }

    private IPNetwork? PickPredefined(string space, AddressFamily family, List<IPNetwork> existing, IReadOnlyList<IPNetwork> routed)
    {
        foreach (var block in PredefinedPools.For(space, family))
        {
            foreach (var candidate in block.Subnets())
            {
                if (existing.Any(e => IPNetworkMath.Overlaps(e, candidate)))
                {
                    continue;
                }
                var clash = routed.Where(r => r.PrefixLength > 0 && IPNetworkMath.Overlaps(r, candidate)).Select(r => r.ToString()).FirstOrDefault();
                if (clash is not null)
                {
                    LogSkippedRouted(candidate.ToString(), clash);
                    continue;
                }
                return candidate;
            }
        }
        return null;
    }

    private static async Task<(PoolRegistry Registry, long Revision)> ReadRegistryAsync(IKeyValueStore store, string space, CancellationToken cancellationToken)
    {
        var entry = await store.GetAsync(RegistryKey(space), cancellationToken).ConfigureAwait(false);
        if (entry is null)
        {
            return (new PoolRegistry([]), 0);
        }
        var registry = JsonSerializer.Deserialize(entry.Value.Span, IpamJsonContext.Default.PoolRegistry) ?? new PoolRegistry([]);
        return (registry, entry.Revision);
    }

    private IKeyValueStore StoreFor(string space)
    {
        if (string.IsNullOrEmpty(space) || space.Contains('/', StringComparison.Ordinal))
        {
            throw new InvalidParameterException("address space", space, "an address space name has no '/'");
        }
        if (space == IpamAddressSpaces.Global)
        {
            return _globalStore ?? throw new UnavailableException($"address space {space} needs the global store; start netstackd with a cluster store");
        }
        return _localStore;
    }

    private static bool IsTrue(IReadOnlyDictionary<string, string>? options, string key) =>
        options is not null && options.TryGetValue(key, out var v) && bool.TryParse(v, out var b) && b;

    private static string SubnetKeyOf(PoolId id) => $"{id.AddressSpace}/{id.SubnetKey}";

    private static string RegistryKey(string space) => $"ipam/{space}/pools";

    private static string AddressPrefix(PoolId id) => $"ipam/{id.AddressSpace}/addresses/{id.SubnetKey}/";

    private static string AddressKey(PoolId id, IPAddress address) => AddressPrefix(id) + address;

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "IPAM reserved pool {PoolId}")]
    private partial void LogPoolReserved(string poolId);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "IPAM released pool {PoolId}")]
    private partial void LogPoolReleased(string poolId);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "IPAM kept address {Address} of pool {PoolId}: another node holds it now")]
    private partial void LogNotOwner(string address, string poolId);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Debug, Message = "IPAM skipped predefined pool {Candidate}: overlaps host route {Route}")]
    private partial void LogSkippedRouted(string candidate, string route);
}
