namespace Netstack.Core;

/// <summary>
/// Option and label names as Docker (libnetwork's <c>netlabel</c> package) spells them, so
/// <c>docker network create -o ...</c> means the same here.
/// </summary>
public static class DockerOptions
{
    /// <summary>Prefix of every Docker network option.</summary>
    public const string Prefix = "com.docker.network";

    public const string EnableIPv6 = Prefix + ".enable_ipv6";
    public const string Internal = Prefix + ".internal";
    public const string DriverMtu = Prefix + ".driver.mtu";
    public const string ContainerInterfacePrefix = Prefix + ".container_iface_prefix";
    public const string MacAddress = Prefix + ".endpoint.macaddress";
    public const string ExposedPorts = Prefix + ".endpoint.exposedports";
    public const string PortMap = Prefix + ".portmap";
    public const string Generic = Prefix + ".generic";

    public const string BridgeName = Prefix + ".bridge.name";
    public const string BridgeEnableIcc = Prefix + ".bridge.enable_icc";
    public const string BridgeEnableIPMasquerade = Prefix + ".bridge.enable_ip_masquerade";
    public const string BridgeHostBindingIPv4 = Prefix + ".bridge.host_binding_ipv4";
    public const string BridgeDefaultBridge = Prefix + ".bridge.default_bridge";

    /// <summary>
    /// Overlay option: comma-separated VXLAN ids, one per IPv4 subnet (Docker's name). Given by the
    /// user it is a request; the controller always stores the ids it allocated under it, so the
    /// driver reads its VNI from here.
    /// </summary>
    public const string OverlayVxlanIdList = Prefix + ".driver.overlay.vxlanid_list";

    /// <summary>Overlay option asking for IPsec-encrypted VXLAN (<c>--opt encrypted</c>), as Docker spells it.</summary>
    public const string OverlayEncrypted = "encrypted";

    /// <summary>IPAM option: allocate addresses round-robin instead of lowest-free (<c>"true"</c>).</summary>
    public const string IpamSerial = Prefix + ".ipam.serial";

    /// <summary>IPAM address request option key naming the purpose of the address.</summary>
    public const string RequestAddressType = "RequestAddressType";

    /// <summary>Value of <see cref="RequestAddressType"/> when asking for the gateway address.</summary>
    public const string Gateway = Prefix + ".gateway";
}
