namespace Netstack.Api.Contracts.Networks;

/// <summary>Answer of <c>POST /networks/create</c>.</summary>
public sealed class NetworkCreateResponse
{
    public string Id { get; set; } = "";

    public string Warning { get; set; } = "";
}
