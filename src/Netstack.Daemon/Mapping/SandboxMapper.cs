using Netstack.Api.Contracts.Sandboxes;
using Netstack.Core;

namespace Netstack.Daemon.Mapping;

/// <summary>Sandbox model to netstack's sandbox JSON.</summary>
internal static class SandboxMapper
{
    public static SandboxResource ToResource(SandboxInfo sandbox)
    {
        ArgumentNullException.ThrowIfNull(sandbox);
        return new SandboxResource
        {
            Id = sandbox.Id,
            Name = sandbox.Name,
            Key = sandbox.Key,
            ContainerId = sandbox.ContainerId ?? "",
            Endpoints = sandbox.Endpoints.Select(e => new SandboxEndpoint
            {
                Network = e.NetworkName,
                NetworkId = e.NetworkId,
                EndpointId = e.Id,
                Interface = e.InterfaceName,
                MacAddress = e.MacAddress,
                IPv4Address = e.IPv4Address?.ToString() ?? "",
                IPv6Address = e.IPv6Address?.ToString() ?? "",
                Aliases = [.. e.Aliases],
            }).ToList(),
        };
    }
}
