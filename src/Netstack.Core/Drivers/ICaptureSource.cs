namespace Netstack.Core.Drivers;

/// <summary>
/// One interface a packet capture can open: the namespace it lives in and its name there. Drivers
/// name their own devices (a bridge's <c>br-&lt;id&gt;</c>, an overlay's <c>br0</c> and VXLAN device in the
/// overlay namespace), so only they can say where a network's traffic is seen on this host.
/// </summary>
public sealed record CapturePoint
{
    /// <summary>The network namespace file; null is the daemon's own namespace.</summary>
    public string? NamespacePath { get; init; }

    public required string InterfaceName { get; init; }

    /// <summary>What the interface is, for the user (<c>bridge</c>, <c>br0</c>, <c>vxlan</c>, <c>eth0 of web</c>).</summary>
    public required string Role { get; init; }

    /// <summary>The VXLAN network identifier carried on this device, when it is a VXLAN device.</summary>
    public uint? Vni { get; init; }
}

/// <summary>
/// Implemented by drivers whose networks have devices on this host: where to capture a network's
/// traffic. Optional; a driver without it (remote) cannot be captured by network.
/// </summary>
public interface ICaptureSource
{
    /// <summary>The network's devices on this host, or an empty list when it has none here (an overlay network no endpoint of this host joined).</summary>
    /// <exception cref="NotFoundException">The driver does not know the network.</exception>
    IReadOnlyList<CapturePoint> CapturePoints(string networkId);
}
