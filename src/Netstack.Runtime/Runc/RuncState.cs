using System.Text.Json.Serialization;

namespace Netstack.Runtime.Runc;

/// <summary>One container as <c>runc state</c> / <c>runc list -f json</c> print it (OCI runtime state).</summary>
internal sealed class RuncState
{
    [JsonPropertyName("id")]
    public string Id { get; set; } = "";

    [JsonPropertyName("pid")]
    public int Pid { get; set; }

    /// <summary>"creating", "created", "running", "paused" or "stopped".</summary>
    [JsonPropertyName("status")]
    public string Status { get; set; } = "";

    [JsonPropertyName("bundle")]
    public string Bundle { get; set; } = "";
}

[JsonSerializable(typeof(RuncState))]
[JsonSerializable(typeof(List<RuncState>))]
internal sealed partial class RuncJsonContext : JsonSerializerContext;
