namespace Netstack.Api.Contracts.Networks;

/// <summary>Body of <c>POST /networks/{id}/connect</c>; <c>Container</c> is a container or sandbox name or id.</summary>
public sealed class NetworkConnectRequest
{
    public string? Container { get; set; }

    public EndpointSettings? EndpointConfig { get; set; }
}
