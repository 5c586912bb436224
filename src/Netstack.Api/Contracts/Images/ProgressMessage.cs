using System.Text.Json.Serialization;

namespace Netstack.Api.Contracts.Images;

/// <summary>
/// One line of the JSON stream <c>POST /images/create</c> answers with; the engine writes these field
/// names in lower case. An import reports the new image id in <c>status</c>.
/// </summary>
public sealed class ProgressMessage
{
    [JsonPropertyName("status")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Status { get; set; }

    [JsonPropertyName("id")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Id { get; set; }

    [JsonPropertyName("errorDetail")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ProgressError? ErrorDetail { get; set; }

    [JsonPropertyName("error")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Error { get; set; }
}

/// <summary><c>errorDetail</c> of a progress line.</summary>
public sealed class ProgressError
{
    [JsonPropertyName("message")]
    public string? Message { get; set; }
}
