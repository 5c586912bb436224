namespace Netstack.Api.Contracts.Networks;

/// <summary>Body of <c>POST /networks/{id}/disconnect</c>.</summary>
public sealed class NetworkDisconnectRequest
{
    public string? Container { get; set; }

    public bool Force { get; set; }
}
