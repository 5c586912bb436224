using System.Text.Json.Serialization;
using Netstack.Api.Contracts.Capture;

namespace Netstack.Api.Serialization;

/// <summary>
/// Source-generated JSON metadata of the capture contracts (<c>/debug/capture</c>), apart from
/// <see cref="ApiJsonContext"/> as the plugin contracts are. <c>--json</c> output is written with it
/// too, one compact object per line.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNameCaseInsensitive = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    GenerationMode = JsonSourceGenerationMode.Metadata | JsonSourceGenerationMode.Serialization)]
[JsonSerializable(typeof(CaptureRequest))]
[JsonSerializable(typeof(CaptureEvent))]
[JsonSerializable(typeof(TraceRequest))]
[JsonSerializable(typeof(TraceResult))]
public sealed partial class CaptureJsonContext : JsonSerializerContext
{
}
