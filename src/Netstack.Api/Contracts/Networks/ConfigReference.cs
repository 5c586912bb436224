namespace Netstack.Api.Contracts.Networks;

/// <summary>The engine's <c>ConfigFrom</c>: the config-only network a network takes its configuration from.</summary>
public sealed class ConfigReference
{
    public string Network { get; set; } = "";
}
