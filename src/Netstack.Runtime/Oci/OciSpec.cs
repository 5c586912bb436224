using System.Text.Json.Serialization;

namespace Netstack.Runtime.Oci;

// The subset of the OCI runtime specification 1.0 (config.json) that netstack writes; field
// names and meanings as in opencontainers/runtime-spec config.md and config-linux.md.

internal sealed class OciSpec
{
    public string OciVersion { get; set; } = "1.0.2";

    public OciProcess Process { get; set; } = new();

    public OciRoot Root { get; set; } = new();

    public string? Hostname { get; set; }

    public List<OciMount> Mounts { get; set; } = [];

    public OciLinux Linux { get; set; } = new();
}

internal sealed class OciProcess
{
    public bool Terminal { get; set; }

    /// <summary>The terminal's size at the start; only with <see cref="Terminal"/>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public OciConsoleSize? ConsoleSize { get; set; }

    public OciUser User { get; set; } = new();

    public List<string> Args { get; set; } = [];

    public List<string> Env { get; set; } = [];

    public string Cwd { get; set; } = "/";

    public OciCapabilities? Capabilities { get; set; }

    public List<OciRlimit> Rlimits { get; set; } = [];

    public bool NoNewPrivileges { get; set; }
}

internal sealed class OciConsoleSize
{
    public uint Height { get; set; }

    public uint Width { get; set; }
}

internal sealed class OciUser
{
    public uint Uid { get; set; }

    public uint Gid { get; set; }

    public List<uint>? AdditionalGids { get; set; }
}

internal sealed class OciCapabilities
{
    public List<string> Bounding { get; set; } = [];

    public List<string> Effective { get; set; } = [];

    public List<string> Permitted { get; set; } = [];

    public List<string> Inheritable { get; set; } = [];
}

internal sealed class OciRlimit
{
    public string Type { get; set; } = "";

    public ulong Hard { get; set; }

    public ulong Soft { get; set; }
}

internal sealed class OciRoot
{
    public string Path { get; set; } = "rootfs";

    public bool Readonly { get; set; }
}

internal sealed class OciMount
{
    public string Destination { get; set; } = "";

    public string Type { get; set; } = "";

    public string Source { get; set; } = "";

    public List<string> Options { get; set; } = [];
}

internal sealed class OciLinux
{
    public string? CgroupsPath { get; set; }

    public OciResources Resources { get; set; } = new();

    public List<OciNamespace> Namespaces { get; set; } = [];

    public List<string> MaskedPaths { get; set; } = [];

    public List<string> ReadonlyPaths { get; set; } = [];
}

internal sealed class OciResources
{
    public List<OciDeviceRule> Devices { get; set; } = [];

    public OciMemory? Memory { get; set; }

    public OciCpu? Cpu { get; set; }

    public OciPids? Pids { get; set; }
}

internal sealed class OciDeviceRule
{
    public bool Allow { get; set; }

    public string Access { get; set; } = "";
}

internal sealed class OciNamespace
{
    public string Type { get; set; } = "";

    public string? Path { get; set; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true)]
[JsonSerializable(typeof(OciSpec))]
internal sealed partial class OciJsonContext : JsonSerializerContext;
