using System.Text.Json.Serialization;

namespace Netstack.Api.Contracts.Engine;

/// <summary>Every error answer: <c>{"message": "..."}</c>, lower case as the engine writes it.</summary>
public sealed class ErrorResponse
{
    [JsonPropertyName("message")]
    public string Message { get; set; } = "";
}
