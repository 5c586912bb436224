using System.Text.Json.Serialization;
using Netstack.Api.Contracts.Plugins;

namespace Netstack.Api.Serialization;

/// <summary>
/// Source-generated JSON metadata of Docker's plugin protocol (network driver and IPAM). Like
/// Docker's Go decoder, names are matched case-insensitively and unknown fields are ignored; a
/// value of the wrong type is an error naming its JSON path.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNameCaseInsensitive = true,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Disallow,
    GenerationMode = JsonSourceGenerationMode.Metadata | JsonSourceGenerationMode.Serialization)]
[JsonSerializable(typeof(PluginResponse))]
[JsonSerializable(typeof(PluginActivateResponse))]
[JsonSerializable(typeof(NetworkCapabilitiesResponse))]
[JsonSerializable(typeof(PluginCreateNetworkRequest))]
[JsonSerializable(typeof(PluginNetworkRequest))]
[JsonSerializable(typeof(PluginCreateEndpointRequest))]
[JsonSerializable(typeof(PluginCreateEndpointResponse))]
[JsonSerializable(typeof(PluginEndpointRequest))]
[JsonSerializable(typeof(PluginEndpointInfoResponse))]
[JsonSerializable(typeof(PluginJoinRequest))]
[JsonSerializable(typeof(PluginJoinResponse))]
[JsonSerializable(typeof(PluginDiscoveryNotification))]
[JsonSerializable(typeof(PluginExternalConnectivityRequest))]
[JsonSerializable(typeof(List<PluginPortBinding>))]
[JsonSerializable(typeof(List<PluginTransportPort>))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(IpamCapabilitiesResponse))]
[JsonSerializable(typeof(IpamAddressSpacesResponse))]
[JsonSerializable(typeof(IpamRequestPoolRequest))]
[JsonSerializable(typeof(IpamRequestPoolResponse))]
[JsonSerializable(typeof(IpamReleasePoolRequest))]
[JsonSerializable(typeof(IpamRequestAddressRequest))]
[JsonSerializable(typeof(IpamRequestAddressResponse))]
[JsonSerializable(typeof(IpamReleaseAddressRequest))]
public sealed partial class PluginJsonContext : JsonSerializerContext
{
}
