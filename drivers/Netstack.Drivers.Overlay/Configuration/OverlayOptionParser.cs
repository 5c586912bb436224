using System.Globalization;
using System.Net.Sockets;
using Netstack.Core;
using Netstack.Core.Drivers;
using Netstack.Linux;

namespace Netstack.Drivers.Overlay;

/// <summary>
/// Turns a network's options into an <see cref="OverlayNetworkConfig"/>, refusing bad values with the
/// option's name and the value before anything is made.
/// </summary>
internal static class OverlayOptionParser
{
    /// <summary>VXLAN over IPv4 adds 50 bytes: outer Ethernet 14 + IPv4 20 + UDP 8 + VXLAN 8 (RFC 7348).</summary>
    public const int VxlanOverhead = 50;

    /// <summary>IPv4's minimum MTU (RFC 791).</summary>
    private const int MinimumMtu = 68;

    public static OverlayNetworkConfig Parse(DriverNetwork network, int underlayMtu)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (string.IsNullOrEmpty(network.NetworkId))
        {
            throw new InvalidParameterException("network id", network.NetworkId, "it is empty");
        }
        var options = network.Options;
        if (options.TryGetValue(DockerOptions.OverlayEncrypted, out var encrypted))
        {
            // Docker turns the option on by its presence, whatever its value.
            throw new InvalidParameterException(DockerOptions.OverlayEncrypted, encrypted,
                "encrypted overlay networks need IPsec ESP in the kernel (CONFIG_INET_ESP), and this kernel has no ESP support; create the network without the encrypted option");
        }
        var vni = ParseVni(options.GetValueOrDefault(DockerOptions.OverlayVxlanIdList));
        var maxMtu = underlayMtu - VxlanOverhead;
        var mtu = maxMtu;
        if (options.TryGetValue(DockerOptions.DriverMtu, out var mtuText))
        {
            if (!int.TryParse(mtuText, NumberStyles.None, CultureInfo.InvariantCulture, out mtu) || mtu < MinimumMtu)
            {
                throw new InvalidParameterException(DockerOptions.DriverMtu, mtuText, $"must be a number in {MinimumMtu}..{maxMtu}");
            }
            if (mtu > maxMtu)
            {
                throw new InvalidParameterException(DockerOptions.DriverMtu, mtuText,
                    $"must be at most {maxMtu}: the underlay MTU {underlayMtu} less {VxlanOverhead} bytes of VXLAN encapsulation");
            }
        }
        var gateways = network.IPv4
            .Where(p => p.Gateway is { } g && g.Address.AddressFamily == AddressFamily.InterNetwork)
            .Select(p => p.Gateway!.Value)
            .ToList();
        return new OverlayNetworkConfig { NetworkId = network.NetworkId, Vni = vni, Mtu = mtu, Gateways = gateways };
    }

    /// <summary>The first id of the list (one per IPv4 subnet in Docker; this driver uses one VNI per network).</summary>
    private static uint ParseVni(string? list)
    {
        const string field = DockerOptions.OverlayVxlanIdList;
        if (string.IsNullOrWhiteSpace(list))
        {
            throw new InvalidParameterException(field, list, "is missing: the controller must allocate the network's VXLAN id");
        }
        var first = list.Split(',')[0].Trim();
        if (!uint.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var vni) || vni is < 1 or > VxlanSpec.MaxVni)
        {
            throw new InvalidParameterException(field, list, $"the VXLAN id \"{first}\" must be a number in 1..{VxlanSpec.MaxVni} (24 bits, RFC 7348)");
        }
        return vni;
    }
}
