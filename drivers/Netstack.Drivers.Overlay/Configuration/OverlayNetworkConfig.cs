using System.Globalization;
using Netstack.Core;

namespace Netstack.Drivers.Overlay;

/// <summary>An overlay network's settings, validated: what its namespace and devices are made from.</summary>
internal sealed record OverlayNetworkConfig
{
    /// <summary>Prefix of every overlay namespace this driver makes (what reconcile treats as its own).</summary>
    public const string NamespacePrefix = "ov-";

    /// <summary>Prefix of the VXLAN device's name; the device sits in the host namespace only between creation and the move.</summary>
    public const string VxlanPrefix = "vx-";

    /// <summary>Network id characters in the namespace name, as Docker's <c>1-&lt;id[:10]&gt;</c>.</summary>
    private const int NamespaceIdLength = 10;

    /// <summary>Network id characters in the VXLAN name: <c>vx-</c> + 6 hex of the VNI + <c>-</c> + 5 = 15 bytes, IFNAMSIZ - 1.</summary>
    private const int VxlanIdLength = 5;

    public required string NetworkId { get; init; }

    /// <summary>The VXLAN network identifier (24 bits).</summary>
    public required uint Vni { get; init; }

    /// <summary>MTU of br0, the VXLAN device and every endpoint.</summary>
    public required int Mtu { get; init; }

    /// <summary>Gateway addresses of the network's IPv4 subnets, put on br0.</summary>
    public IReadOnlyList<CidrAddress> Gateways { get; init; } = [];

    /// <summary><c>ov-&lt;vni&gt;-&lt;id[:10]&gt;</c>, the overlay namespace under the namespace directory.</summary>
    public string NamespaceName => NamespaceNameFor(Vni, NetworkId);

    /// <summary><c>vx-&lt;vni hex&gt;-&lt;id[:5]&gt;</c> (Docker's scheme); unique in the host namespace while it is there.</summary>
    public string VxlanName => VxlanPrefix + Vni.ToString("x6", CultureInfo.InvariantCulture) + "-" + Clip(NetworkId, VxlanIdLength);

    /// <summary>Same settings (the record's own equality compares the gateway list by reference).</summary>
    public bool SameSettings(OverlayNetworkConfig other) =>
        NetworkId == other.NetworkId && Vni == other.Vni && Mtu == other.Mtu && Gateways.SequenceEqual(other.Gateways);

    public static string NamespaceNameFor(uint vni, string networkId) =>
        NamespacePrefix + vni.ToString(CultureInfo.InvariantCulture) + NamespaceSuffixFor(networkId);

    /// <summary>The end of the namespace name that comes from the network id: <c>-&lt;id[:10]&gt;</c>.</summary>
    public static string NamespaceSuffixFor(string networkId) => "-" + Clip(networkId, NamespaceIdLength);

    private static string Clip(string id, int length)
    {
        var clean = new string(id.Where(char.IsAsciiLetterOrDigit).ToArray()).ToLowerInvariant();
        return clean.Length > length ? clean[..length] : clean;
    }
}
