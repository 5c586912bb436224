using System.Text.Json.Serialization;

namespace Netstack.Runtime.Containers;

/// <summary>The lifecycle state, with Docker's names ("created", "running", "exited").</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ContainerState>))]
public enum ContainerState
{
    [JsonStringEnumMemberName("created")]
    Created,

    [JsonStringEnumMemberName("running")]
    Running,

    [JsonStringEnumMemberName("exited")]
    Exited,
}
