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
