namespace Netstack.Controller;

/// <summary>Controller settings (bound from the daemon's configuration).</summary>
public sealed class ControllerOptions
{
    /// <summary>Where sandbox namespaces are bind-mounted (like <c>ip netns</c>'s /run/netns).</summary>
    public string NetnsDirectory { get; set; } = "/run/netstack/netns";

    /// <summary>Prefix of sandbox interface names inside the namespace (<c>eth</c> gives eth0, eth1...).</summary>
    public string InterfacePrefix { get; set; } = "eth";

    /// <summary>Default network driver when a spec names none.</summary>
    public string DefaultDriver { get; set; } = "bridge";

    /// <summary>This node's name in the cluster: owner of its global attachments and addresses.</summary>
    public string NodeName { get; set; } = System.Net.Dns.GetHostName();

    /// <summary>Wait between attempts to reach the global store after it failed.</summary>
    public TimeSpan GlobalRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the global store is probed (for the state in <c>/info</c> and the repair after an outage).</summary>
    public TimeSpan GlobalHealthInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Store retries on a compare-and-swap conflict before giving up with Conflict.</summary>
    public int MaxStoreRetries { get; set; } = 16;
}
