using System.Text.Json.Serialization;
using Netstack.Api.Contracts.Containers;
using Netstack.Api.Contracts.Networks;
using Netstack.Api.Contracts.Sandboxes;

namespace Netstack.Api.Client;

/// <summary>
/// Writers for the request bodies the client sends, generated in serialization-only mode: the
/// serializer runs the generated code straight onto a Utf8JsonWriter and never builds the property
/// metadata that <see cref="Serialization.ApiJsonContext"/> (metadata mode, for reading) needs. In a
/// fresh CLI process that metadata cost ~120 JIT-compiled methods (one generic instantiation per
/// value-typed property) and 25-35 ms before <c>run</c>'s first request. Same contracts and the same
/// attributes, so the same JSON (tests/Netstack.Api.Tests/Transport/RequestJsonTests.cs compares them).
/// </summary>
[JsonSourceGenerationOptions(GenerationMode = JsonSourceGenerationMode.Serialization)]
[JsonSerializable(typeof(ContainerCreateRequest))]
[JsonSerializable(typeof(ContainerExecRequest))]
[JsonSerializable(typeof(NetworkCreateRequest))]
[JsonSerializable(typeof(NetworkConnectRequest))]
[JsonSerializable(typeof(NetworkDisconnectRequest))]
[JsonSerializable(typeof(SandboxCreateRequest))]
internal sealed partial class RequestJsonContext : JsonSerializerContext
{
}
