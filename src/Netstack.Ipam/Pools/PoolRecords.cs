using System.Text.Json.Serialization;

namespace Netstack.Ipam;

/// <summary>
/// One reserved pool as stored. In the global space <paramref name="Owner"/> is the node that
/// reserved it (null in the local space, and in pools written before owners were recorded).
/// </summary>
internal sealed record PoolRecord(string Subnet, string? IpRange, bool Serial, string? Owner = null);

/// <summary>
/// Every pool of an address space, in one key, so reserving a pool is one compare-and-swap that
/// also proves no overlapping pool was added meanwhile (even by another host on the global store).
/// </summary>
internal sealed record PoolRegistry(List<PoolRecord> Pools);

[JsonSerializable(typeof(PoolRegistry))]
[JsonSerializable(typeof(AddressOwner))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class IpamJsonContext : JsonSerializerContext;

/// <summary>Value of a global address key: the node that took it.</summary>
internal sealed record AddressOwner([property: JsonPropertyName("owner")] string Owner);
