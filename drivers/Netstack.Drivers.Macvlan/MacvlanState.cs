namespace Netstack.Drivers.Macvlan;

/// <summary>A network the driver knows: its parsed settings.</summary>
internal sealed record MacvlanNetwork(MacvlanNetworkConfig Config);

/// <summary>
/// An endpoint the driver knows. <see cref="SandboxKey"/> and <see cref="InterfaceName"/> say where
/// its macvlan is once joined (Leave is given only ids, so the driver must remember them).
/// </summary>
internal sealed class MacvlanEndpoint
{
    public required string NetworkId { get; init; }

    public required string EndpointId { get; init; }

    public required string MacAddress { get; init; }

    public string? SandboxKey { get; set; }

    public string? InterfaceName { get; set; }
}
