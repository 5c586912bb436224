using System.Net;
using Netstack.Core;

namespace Netstack.Drivers.Bridge;

/// <summary>A network the driver manages.</summary>
internal sealed record BridgeNetwork(BridgeNetworkConfig Config);

/// <summary>An endpoint the driver knows, with what it needs to join and publish.</summary>
internal sealed record BridgeEndpoint
{
    /// <summary>Host ends are <c>nsv</c> plus 12 hex digits of the endpoint id: 15 bytes, IFNAMSIZ - 1.</summary>
    private const int HostEndIdLength = 12;

    public required string NetworkId { get; init; }

    public required string EndpointId { get; init; }

    public required string MacAddress { get; init; }

    public CidrAddress? IPv4Address { get; init; }

    public CidrAddress? IPv6Address { get; init; }

    public IReadOnlyList<PortBinding> PortBindings { get; init; } = [];

    public string HostEnd => HostEndName(EndpointId);

    /// <summary>The container end's name in the host namespace for a hand-over join: <c>nsc</c> plus 12 hex digits of the id.</summary>
    public string HandOverName => HandOverEndName(EndpointId);

    public static string HostEndName(string endpointId) => "nsv" + IdPart(endpointId);

    public static string HandOverEndName(string endpointId) => "nsc" + IdPart(endpointId);

    private static string IdPart(string endpointId)
    {
        var id = new string(endpointId.Where(char.IsAsciiLetterOrDigit).ToArray()).ToLowerInvariant();
        return id.Length > HostEndIdLength ? id[..HostEndIdLength] : id;
    }

    public IPAddress? Address => IPv4Address?.Address;
}
