using System.Text.Json.Serialization;

namespace Netstack.Drivers.Remote.Protocol;

/// <summary>
/// Source-generated JSON for every message. Names are read case-insensitively (Go's decoder does the
/// same, so plugins written against it may vary the case); nulls are left out of requests, as Go's
/// <c>omitempty</c> plugins expect.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNameCaseInsensitive = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(EmptyRequest))]
[JsonSerializable(typeof(EmptyResponse))]
[JsonSerializable(typeof(ActivateResponse))]
[JsonSerializable(typeof(NetworkCapabilitiesResponse))]
[JsonSerializable(typeof(CreateNetworkRequest))]
[JsonSerializable(typeof(NetworkRequest))]
[JsonSerializable(typeof(CreateEndpointRequest))]
[JsonSerializable(typeof(CreateEndpointResponse))]
[JsonSerializable(typeof(EndpointRequest))]
[JsonSerializable(typeof(JoinRequestMessage))]
[JsonSerializable(typeof(JoinResponse))]
[JsonSerializable(typeof(ExternalConnectivityRequestMessage))]
[JsonSerializable(typeof(AddressSpacesResponse))]
[JsonSerializable(typeof(RequestPoolMessage))]
[JsonSerializable(typeof(RequestPoolResponse))]
[JsonSerializable(typeof(ReleasePoolMessage))]
[JsonSerializable(typeof(RequestAddressMessage))]
[JsonSerializable(typeof(RequestAddressResponse))]
[JsonSerializable(typeof(ReleaseAddressMessage))]
internal sealed partial class PluginJsonContext : JsonSerializerContext;
