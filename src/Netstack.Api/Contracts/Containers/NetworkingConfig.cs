using Netstack.Api.Contracts.Networks;

namespace Netstack.Api.Contracts.Containers;

/// <summary>Networks a new container joins, keyed by network name or id.</summary>
public sealed class NetworkingConfig
{
    public Dictionary<string, EndpointSettings>? EndpointsConfig { get; set; }
}
