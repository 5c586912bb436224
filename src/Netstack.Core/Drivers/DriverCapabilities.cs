namespace Netstack.Core.Drivers;

/// <summary>
/// What a driver can do (libnetwork's <c>driverapi.Capability</c>). <see cref="DataScope"/> says
/// which store its networks live in; <see cref="ConnectivityScope"/> how far its networks reach.
/// </summary>
public sealed record DriverCapabilities
{
    public NetworkScope DataScope { get; init; } = NetworkScope.Local;

    public NetworkScope ConnectivityScope { get; init; } = NetworkScope.Local;

    /// <summary>True when endpoints need a gateway address from IPAM (false for e.g. <c>null</c>/<c>host</c>).</summary>
    public bool NeedsGateway { get; init; } = true;

    /// <summary>
    /// True when each network needs a cluster-wide VXLAN id (overlay): the controller allocates it
    /// in the global store (4096 and up, or the user's <see cref="DockerOptions.OverlayVxlanIdList"/>)
    /// and hands it over in that option.
    /// </summary>
    public bool NeedsVxlanId { get; init; }
}
