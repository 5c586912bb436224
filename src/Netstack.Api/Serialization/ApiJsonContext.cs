using System.Text.Json.Serialization;
using Netstack.Api.Contracts.Containers;
using Netstack.Api.Contracts.Images;
using Netstack.Api.Contracts.Networks;
using Netstack.Api.Contracts.Nodes;
using Netstack.Api.Contracts.Sandboxes;
using Netstack.Api.Contracts.Engine;

namespace Netstack.Api.Serialization;

/// <summary>
/// Source-generated JSON metadata for every contract: the daemon and the CLI serialize only through
/// it, so nothing needs reflection and the CLI can be published ReadyToRun (or trimmed).
/// Property names are read case-insensitively because the engine's Go decoder does the same, and
/// clients rely on it; unknown properties are ignored for the same reason.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNameCaseInsensitive = true,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Disallow,
    GenerationMode = JsonSourceGenerationMode.Metadata | JsonSourceGenerationMode.Serialization)]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(VersionResponse))]
[JsonSerializable(typeof(InfoResponse))]
[JsonSerializable(typeof(NetworkResource))]
[JsonSerializable(typeof(List<NetworkResource>))]
[JsonSerializable(typeof(NetworkCreateRequest))]
[JsonSerializable(typeof(NetworkCreateResponse))]
[JsonSerializable(typeof(NetworkConnectRequest))]
[JsonSerializable(typeof(NetworkDisconnectRequest))]
[JsonSerializable(typeof(NetworkPruneResponse))]
[JsonSerializable(typeof(SandboxCreateRequest))]
[JsonSerializable(typeof(SandboxResource))]
[JsonSerializable(typeof(List<SandboxResource>))]
[JsonSerializable(typeof(NodeResource))]
[JsonSerializable(typeof(List<NodeResource>))]
[JsonSerializable(typeof(ContainerCreateRequest))]
[JsonSerializable(typeof(ContainerCreateResponse))]
[JsonSerializable(typeof(ContainerSummary))]
[JsonSerializable(typeof(List<ContainerSummary>))]
[JsonSerializable(typeof(ContainerInspect))]
[JsonSerializable(typeof(ContainerExecRequest))]
[JsonSerializable(typeof(ContainerExecResponse))]
[JsonSerializable(typeof(ContainerWaitResponse))]
[JsonSerializable(typeof(ContainerStatsResponse))]
[JsonSerializable(typeof(ExecConfig))]
[JsonSerializable(typeof(ExecStartConfig))]
[JsonSerializable(typeof(ExecCreateResponse))]
[JsonSerializable(typeof(ExecInspect))]
[JsonSerializable(typeof(ImageSummary))]
[JsonSerializable(typeof(List<ImageSummary>))]
[JsonSerializable(typeof(List<ImageDeleteItem>))]
[JsonSerializable(typeof(ProgressMessage))]
[JsonSerializable(typeof(Dictionary<string, Dictionary<string, bool>>))]
[JsonSerializable(typeof(Dictionary<string, List<string>>))]
[JsonSerializable(typeof(System.Text.Json.JsonElement))]
public sealed partial class ApiJsonContext : JsonSerializerContext
{
}
