using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Netstack.Core;
using Netstack.Core.Storage;

namespace Netstack.Controller;

/// <summary>A record with the store revision it was read or written at.</summary>
internal sealed record Stored<T>(T Value, long Revision);

/// <summary>
/// The controller's records in the key/value store. Layout:
/// <c>networks/&lt;id&gt;</c>, <c>endpoints/&lt;network-id&gt;/&lt;endpoint-id&gt;</c>, <c>sandboxes/&lt;id&gt;</c>,
/// and name indexes <c>names/networks/&lt;name&gt;</c> and <c>names/sandboxes/&lt;name&gt;</c> holding the id,
/// written create-only so two creators of one name cannot both win.
/// </summary>
internal sealed class StateStore(IKeyValueStore store)
{
    public const string NetworksPrefix = "networks/";
    public const string EndpointsPrefix = "endpoints/";
    public const string SandboxesPrefix = "sandboxes/";
    public const string NetworkNamesPrefix = "names/networks/";
    public const string SandboxNamesPrefix = "names/sandboxes/";

    public IKeyValueStore Inner => store;

    public static string NetworkKey(string id) => NetworksPrefix + id;

    public static string EndpointKey(string networkId, string endpointId) => $"{EndpointsPrefix}{networkId}/{endpointId}";

    public static string SandboxKey(string id) => SandboxesPrefix + id;

    public static string NetworkNameKey(string name) => NetworkNamesPrefix + name;

    public static string SandboxNameKey(string name) => SandboxNamesPrefix + name;

    public static byte[] Serialize(NetworkRecord r) => JsonSerializer.SerializeToUtf8Bytes(r, ControllerJsonContext.Default.NetworkRecord);

    public static byte[] Serialize(EndpointRecord r) => JsonSerializer.SerializeToUtf8Bytes(r, ControllerJsonContext.Default.EndpointRecord);

    public static byte[] Serialize(SandboxRecord r) => JsonSerializer.SerializeToUtf8Bytes(r, ControllerJsonContext.Default.SandboxRecord);

    public static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    public async Task<IReadOnlyList<Stored<NetworkRecord>>> ListNetworksAsync(CancellationToken ct) =>
        await ListAsync(NetworksPrefix, ControllerJsonContext.Default.NetworkRecord, ct).ConfigureAwait(false);

    public async Task<IReadOnlyList<Stored<EndpointRecord>>> ListEndpointsAsync(CancellationToken ct) =>
        await ListAsync(EndpointsPrefix, ControllerJsonContext.Default.EndpointRecord, ct).ConfigureAwait(false);

    public async Task<IReadOnlyList<Stored<SandboxRecord>>> ListSandboxesAsync(CancellationToken ct) =>
        await ListAsync(SandboxesPrefix, ControllerJsonContext.Default.SandboxRecord, ct).ConfigureAwait(false);

    public async Task<IReadOnlyList<KeyValueEntry>> ListNamesAsync(string prefix, CancellationToken ct) =>
        await store.ListAsync(prefix, ct).ConfigureAwait(false);

    /// <summary>Commits a transaction; a failed condition becomes a <see cref="ConflictException"/> with <paramref name="conflictMessage"/>.</summary>
    public async Task<long> CommitAsync(StoreTransaction transaction, string conflictMessage, CancellationToken ct)
    {
        var result = await store.CommitAsync(transaction, ct).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new ConflictException(conflictMessage);
        }
        return result.Revision;
    }

    /// <summary>The record at <paramref name="key"/> with its revision, or null when there is none.</summary>
    public async Task<Stored<T>?> GetAsync<T>(string key, JsonTypeInfo<T> type, CancellationToken ct)
    {
        var entry = await store.GetAsync(key, ct).ConfigureAwait(false);
        return entry is null ? null : new Stored<T>(JsonSerializer.Deserialize(entry.Value.Span, type)
            ?? throw new InternalException($"store key \"{key}\" holds no record"), entry.Revision);
    }

    /// <summary>
    /// Takes back an intent write whose outcome is unknown: it failed, but the store may have
    /// applied it (a commit that failed after its fsync, an etcd answer lost after the Txn). The
    /// record's key holds a fresh id, so it is deleted whatever it holds; the name key only while
    /// it still names <paramref name="id"/>, as another object may have taken the name since.
    /// Best effort: what stays is a Creating record that the next reconcile removes.
    /// </summary>
    public async Task ForgetIntentAsync(string recordKey, string? nameKey, string id)
    {
        try
        {
            await store.DeleteAsync(recordKey, cancellationToken: CancellationToken.None).ConfigureAwait(false);
            if (nameKey is not null && await store.GetAsync(nameKey, CancellationToken.None).ConfigureAwait(false) is { } name
                && Encoding.UTF8.GetString(name.Value.Span) == id)
            {
                await store.DeleteAsync(nameKey, name.Revision, CancellationToken.None).ConfigureAwait(false);
            }
        }
#pragma warning disable CA1031 // best effort: reconcile removes a Creating record the daemon could not take back
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private async Task<IReadOnlyList<Stored<T>>> ListAsync<T>(string prefix, JsonTypeInfo<T> type, CancellationToken ct)
    {
        var entries = await store.ListAsync(prefix, ct).ConfigureAwait(false);
        var result = new List<Stored<T>>(entries.Count);
        foreach (var entry in entries)
        {
            var value = JsonSerializer.Deserialize(entry.Value.Span, type)
                ?? throw new InternalException($"store key \"{entry.Key}\" holds no record");
            result.Add(new Stored<T>(value, entry.Revision));
        }
        return result;
    }
}
