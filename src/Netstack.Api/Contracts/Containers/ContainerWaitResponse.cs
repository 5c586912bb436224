namespace Netstack.Api.Contracts.Containers;

/// <summary>Answer of <c>POST /containers/{id}/wait</c>.</summary>
public sealed class ContainerWaitResponse
{
    public int StatusCode { get; set; }
}
