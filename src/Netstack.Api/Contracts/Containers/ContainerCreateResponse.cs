namespace Netstack.Api.Contracts.Containers;

/// <summary>Answer of <c>POST /containers/create</c>.</summary>
public sealed class ContainerCreateResponse
{
    public string Id { get; set; } = "";

    public List<string> Warnings { get; set; } = [];
}
