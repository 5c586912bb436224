namespace Netstack.Api.Contracts.Containers;

/// <summary>
/// The engine's "ContainerConfig": what to run. It is both the body of <c>POST /containers/create</c>
/// (with <see cref="ContainerCreateRequest"/>'s HostConfig and NetworkingConfig) and <c>Config</c> in inspect.
/// </summary>
public class ContainerConfig
{
    public string? Hostname { get; set; }

    public string? Domainname { get; set; }

    public string? User { get; set; }

    public bool AttachStdin { get; set; }

    public bool AttachStdout { get; set; }

    public bool AttachStderr { get; set; }

    /// <summary>Ports as <c>PORT/PROTO</c> keys with empty objects, e.g. <c>{"80/tcp": {}}</c>.</summary>
    public Dictionary<string, EmptyObject>? ExposedPorts { get; set; }

    public bool Tty { get; set; }

    public bool OpenStdin { get; set; }

    public bool StdinOnce { get; set; }

    /// <summary><c>KEY=VALUE</c> strings.</summary>
    public List<string>? Env { get; set; }

    public List<string>? Cmd { get; set; }

    public string? Image { get; set; }

    public string? WorkingDir { get; set; }

    public List<string>? Entrypoint { get; set; }

    public Dictionary<string, string>? Labels { get; set; }

    public string? StopSignal { get; set; }

    public int? StopTimeout { get; set; }
}
