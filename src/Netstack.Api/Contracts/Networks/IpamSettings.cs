namespace Netstack.Api.Contracts.Networks;

/// <summary>The <c>IPAM</c> object of a network and of a create request.</summary>
public sealed class IpamSettings
{
    /// <summary>IPAM driver name; <c>default</c> when empty.</summary>
    public string Driver { get; set; } = "default";

    public Dictionary<string, string>? Options { get; set; }

    public List<IpamPoolConfig>? Config { get; set; }
}
