using System.Text.Json.Serialization;

namespace Netstack.Drivers.Remote.Plugins;

/// <summary>A plugin's <c>NAME.json</c> file, as Docker reads it.</summary>
internal sealed record PluginSpecFile
{
    public string? Name { get; init; }

    public string? Addr { get; init; }

    public PluginSpecTls? TLSConfig { get; init; }
}

internal sealed record PluginSpecTls
{
    public bool InsecureSkipVerify { get; init; }

    public string? CAFile { get; init; }

    public string? CertFile { get; init; }

    public string? KeyFile { get; init; }
}

[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(PluginSpecFile))]
internal sealed partial class PluginSpecJsonContext : JsonSerializerContext;
