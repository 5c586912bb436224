namespace Netstack.Api.Contracts.Containers;

/// <summary>Body of <c>POST /containers/create?name=NAME</c>: the config plus host and network settings.</summary>
public sealed class ContainerCreateRequest : ContainerConfig
{
    public HostConfig? HostConfig { get; set; }

    public NetworkingConfig? NetworkingConfig { get; set; }
}
