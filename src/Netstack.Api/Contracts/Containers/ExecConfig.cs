namespace Netstack.Api.Contracts.Containers;

/// <summary>Body of the engine's <c>POST /containers/{id}/exec</c>: what to run, and which streams the client wants.</summary>
public sealed class ExecConfig
{
    public bool AttachStdin { get; set; }

    public bool AttachStdout { get; set; }

    public bool AttachStderr { get; set; }

    public bool Tty { get; set; }

    public List<string>? Cmd { get; set; }

    public List<string>? Env { get; set; }

    public string? WorkingDir { get; set; }

    public string? User { get; set; }

    public bool Privileged { get; set; }

    /// <summary>The keys that detach the client from an interactive exec (Docker's notation, default <c>ctrl-p,ctrl-q</c>).</summary>
    public string? DetachKeys { get; set; }
}

/// <summary>Body of the engine's <c>POST /exec/{id}/start</c>.</summary>
public sealed class ExecStartConfig
{
    public bool Detach { get; set; }

    public bool Tty { get; set; }
}

/// <summary>Answer of <c>POST /containers/{id}/exec</c>.</summary>
public sealed class ExecCreateResponse
{
    public string Id { get; set; } = "";
}

/// <summary>Answer of the engine's <c>GET /exec/{id}/json</c> (the fields the docker CLI reads).</summary>
public sealed class ExecInspect
{
    [System.Text.Json.Serialization.JsonPropertyName("ID")]
    public string Id { get; set; } = "";

    public bool Running { get; set; }

    public int ExitCode { get; set; }

    public bool OpenStdin { get; set; }

    public bool OpenStdout { get; set; }

    public bool OpenStderr { get; set; }

    [System.Text.Json.Serialization.JsonPropertyName("ContainerID")]
    public string ContainerId { get; set; } = "";

    public int Pid { get; set; }
}
