namespace Netstack.Drivers.Bridge;

/// <summary>Settings of the bridge driver.</summary>
public sealed class BridgeDriverOptions
{
    /// <summary>
    /// Path of the network namespace file where bridges and firewall rules live; null (the default)
    /// is the daemon's own namespace. Tests pass a throwaway namespace that acts as the host.
    /// </summary>
    public string? HostNamespacePath { get; set; }

    /// <summary>Whether the rules are written with iptables-restore (the default) or through nf_tables over netlink (the daemon's <c>--firewall-backend</c>).</summary>
    public Netstack.Firewall.FirewallBackend FirewallBackend { get; set; }
}
