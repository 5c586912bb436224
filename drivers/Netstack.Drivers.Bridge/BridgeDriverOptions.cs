namespace Netstack.Drivers.Bridge;

/// <summary>Settings of the bridge driver.</summary>
public sealed class BridgeDriverOptions
{
    /// <summary>
    /// Path of the network namespace file where bridges and firewall rules live; null (the default)
    /// is the daemon's own namespace. Tests pass a throwaway namespace that acts as the host.
    /// </summary>
    public string? HostNamespacePath { get; set; }
}
