using System.Net;
using Netstack.Linux;

namespace Netstack.Drivers.Overlay;

/// <summary>Settings of the overlay driver; the daemon fills them from <c>--advertise-addr</c> and its configuration.</summary>
public sealed class OverlayDriverOptions
{
    /// <summary>IANA's VXLAN port (RFC 7348 section 5); Docker's default <c>--data-path-port</c>.</summary>
    public const ushort DefaultVxlanPort = 4789;

    /// <summary>The Ethernet MTU assumed when the advertise address is on no interface.</summary>
    public const int DefaultUnderlayMtu = 1500;

    /// <summary>
    /// This node's tunnel endpoint (VTEP): the source address of the outer IPv4 header and the
    /// address other nodes send this node's VXLAN traffic to. Required.
    /// </summary>
    public IPAddress? AdvertiseAddress { get; set; }

    /// <summary>UDP destination port of the VXLAN traffic (the same on every node of the cluster).</summary>
    public ushort VxlanPort { get; set; } = DefaultVxlanPort;

    /// <summary>
    /// MTU of the underlay; null reads it from the interface that holds <see cref="AdvertiseAddress"/>
    /// (falling back to <see cref="DefaultUnderlayMtu"/>).
    /// </summary>
    public int? UnderlayMtu { get; set; }

    /// <summary>Where the per-network overlay namespaces are bind-mounted.</summary>
    public string NamespaceDirectory { get; set; } = NetworkNamespace.DefaultDirectory;

    /// <summary>
    /// Path of the network namespace file that plays the host (where the VXLAN sockets live); null
    /// (the default) is the daemon's own namespace. Tests pass a throwaway namespace per "host".
    /// </summary>
    public string? HostNamespacePath { get; set; }
}
