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

    /// <summary>
    /// The per-host gateway network (Docker's <c>docker_gwbridge</c>): a local bridge network with
    /// MASQUERADE, created on demand, that gives the sandboxes of global networks without a gateway
    /// (overlay) their default route and their published ports.
    /// </summary>
    public string GatewayNetworkName { get; set; } = "netstack_gwbridge";

    /// <summary>
    /// The Linux bridge of the gateway network. Docker names the bridge as the network; a Linux
    /// interface name has at most 15 bytes (IFNAMSIZ 16 with the NUL), which
    /// <c>netstack_gwbridge</c> exceeds, so the device gets its own shorter name.
    /// </summary>
    public string GatewayBridgeName { get; set; } = "ns_gwbridge";
}
