using Microsoft.Extensions.Configuration;

namespace Netstack.Daemon.Gossip;

/// <summary>
/// netstackd's cluster settings, bound from the same configuration as <see cref="Hosting.DaemonOptions"/>
/// (keys are the flag names). Gossip is off unless <c>advertise-addr</c> or <c>listen-addr</c> is set.
/// </summary>
public sealed class GossipDaemonOptions
{
    /// <summary>memberlist's and Docker's gossip port, UDP and TCP.</summary>
    public const int DefaultPort = 7946;

    /// <summary>Address peers use to reach this daemon, <c>IP[:PORT]</c> (<c>--advertise-addr</c>).</summary>
    [ConfigurationKeyName("advertise-addr")]
    public string? AdvertiseAddr { get; set; }

    /// <summary>Address the gossip sockets bind to, <c>IP[:PORT]</c>; default <c>0.0.0.0:7946</c> (<c>--listen-addr</c>).</summary>
    [ConfigurationKeyName("listen-addr")]
    public string? ListenAddr { get; set; }

    /// <summary>Peers to join, <c>IP[:PORT]</c>; each item may hold several, comma-separated (<c>--join</c>).</summary>
    [ConfigurationKeyName("join")]
    public string[] Join { get; set; } = [];

    /// <summary>File holding the cluster's AES key in base64 (16, 24 or 32 bytes); none means plain gossip (<c>--gossip-key-file</c>).</summary>
    [ConfigurationKeyName("gossip-key-file")]
    public string? GossipKeyFile { get; set; }

    /// <summary>Unique node name; default the advertise address, since namespace hosts share one host name (<c>--node-name</c>).</summary>
    [ConfigurationKeyName("node-name")]
    public string? NodeName { get; set; }

    /// <summary>True when the daemon takes part in a cluster.</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(AdvertiseAddr) || !string.IsNullOrWhiteSpace(ListenAddr);
}
