using System.Text.Json.Serialization;
using Netstack.Api.Contracts.Upstream;

namespace Netstack.Api.Serialization;

/// <summary>Source-generated JSON for the upstream port-mapping contracts (<c>GET /upstream</c>), as <see cref="ApiJsonContext"/> for the rest.</summary>
[JsonSourceGenerationOptions(
    PropertyNameCaseInsensitive = true,
    GenerationMode = JsonSourceGenerationMode.Metadata | JsonSourceGenerationMode.Serialization)]
[JsonSerializable(typeof(UpstreamStatus))]
public sealed partial class UpstreamJsonContext : JsonSerializerContext
{
}
