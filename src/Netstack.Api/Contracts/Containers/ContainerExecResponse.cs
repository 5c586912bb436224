namespace Netstack.Api.Contracts.Containers;

/// <summary>Answer of netstack's <c>POST /containers/{id}/exec/run</c>.</summary>
public sealed class ContainerExecResponse
{
    public int ExitCode { get; set; }

    public string Stdout { get; set; } = "";

    public string Stderr { get; set; } = "";
}
