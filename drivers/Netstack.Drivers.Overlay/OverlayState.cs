using System.Net;
using System.Net.NetworkInformation;
using Netstack.Core;

namespace Netstack.Drivers.Overlay;

/// <summary>An endpoint the driver knows, with what it needs to join and to publish itself.</summary>
internal sealed record OverlayEndpoint
{
    /// <summary>Host ends are <c>veth</c> plus 11 characters of the endpoint id: 15 bytes, IFNAMSIZ - 1.</summary>
    private const int HostEndIdLength = 11;

    public required string NetworkId { get; init; }

    public required string EndpointId { get; init; }

    public required PhysicalAddress MacAddress { get; init; }

    public required CidrAddress IPv4Address { get; init; }

    public string HostEnd => HostEndName(EndpointId);

    /// <summary>The host end's name inside the overlay namespace (names there never meet the host's).</summary>
    public static string HostEndName(string endpointId)
    {
        var id = new string(endpointId.Where(char.IsAsciiLetterOrDigit).ToArray()).ToLowerInvariant();
        return "veth" + (id.Length > HostEndIdLength ? id[..HostEndIdLength] : id);
    }

    public PeerRecord ToPeerRecord(IPAddress vtep) => new(IPv4Address.Address, IPv4Address.PrefixLength, MacAddress, vtep);
}

/// <summary>A remote endpoint heard from the peer table: its owner, what it said, and whether it is in the kernel.</summary>
internal sealed class RemotePeer(string owner, PeerRecord record)
{
    public string Owner { get; } = owner;

    public PeerRecord Record { get; set; } = record;

    /// <summary>False while the owner is suspended (failed): kept, not programmed, may come back.</summary>
    public bool Live { get; set; } = true;

    public bool Programmed { get; set; }
}
