using System.Text.Json.Serialization;

namespace Netstack.Api.Contracts.Containers;

/// <summary>Answer of <c>POST /containers/{id}/wait</c>.</summary>
public sealed class ContainerWaitResponse
{
    public int StatusCode { get; set; }

    /// <summary>Why the wait ended without an exit status (the engine's WaitExitError); absent otherwise.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ContainerWaitError? Error { get; set; }
}
