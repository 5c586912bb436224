using System.Text.Json.Serialization;

namespace Netstack.Ipam;

/// <summary>One reserved pool as stored.</summary>
internal sealed record PoolRecord(string Subnet, string? IpRange, bool Serial);

/// <summary>
/// Every pool of an address space, in one key, so reserving a pool is one compare-and-swap that
/// also proves no overlapping pool was added meanwhile (even by another host on the global store).
/// </summary>
internal sealed record PoolRegistry(List<PoolRecord> Pools);

[JsonSerializable(typeof(PoolRegistry))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class IpamJsonContext : JsonSerializerContext;
