using System.Text.Json.Serialization;

namespace Netstack.Api.Contracts.Engine;

/// <summary>Answer of <c>GET /version</c> (Engine API v1.41 "SystemVersion").</summary>
public sealed class VersionResponse
{
    public PlatformInfo Platform { get; set; } = new();

    public List<ComponentVersion> Components { get; set; } = [];

    public string Version { get; set; } = "";

    public string ApiVersion { get; set; } = "";

    [JsonPropertyName("MinAPIVersion")]
    public string MinApiVersion { get; set; } = "";

    public string GitCommit { get; set; } = "";

    /// <summary>The engine reports its Go version here; we report the .NET runtime's.</summary>
    public string GoVersion { get; set; } = "";

    public string Os { get; set; } = "";

    public string Arch { get; set; } = "";

    public string KernelVersion { get; set; } = "";

    public bool Experimental { get; set; }

    public string BuildTime { get; set; } = "";
}

/// <summary><c>Platform</c> of <see cref="VersionResponse"/>.</summary>
public sealed class PlatformInfo
{
    public string Name { get; set; } = "";
}

/// <summary>One entry of <c>Components</c> of <see cref="VersionResponse"/>.</summary>
public sealed class ComponentVersion
{
    public string Name { get; set; } = "";

    public string Version { get; set; } = "";

    public Dictionary<string, string>? Details { get; set; }
}
