namespace Netstack.Api.Contracts.Containers;

/// <summary>
/// Body of netstack's <c>POST /containers/{id}/exec/run</c>: run a command in the container and wait
/// for it. The engine's own exec needs a hijacked stream; this one answers with the whole output.
/// </summary>
public sealed class ContainerExecRequest
{
    public List<string>? Cmd { get; set; }

    public List<string>? Env { get; set; }

    public string? WorkingDir { get; set; }

    public string? User { get; set; }
}
