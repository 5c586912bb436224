using System.Net;
using System.Text;

namespace Netstack.Gossip;

/// <summary>
/// Settings of a gossip node. The defaults are memberlist's LAN profile (DefaultLANConfig), which
/// networkdb uses too.
/// </summary>
public sealed class GossipOptions
{
    /// <summary>Unique name of this node in the cluster (default: the host name).</summary>
    public string NodeName { get; set; } = Environment.MachineName;

    /// <summary>Address the UDP and TCP sockets bind to.</summary>
    public IPAddress BindAddress { get; set; } = IPAddress.Any;

    /// <summary>Port shared by UDP and TCP; 7946 as memberlist and Docker Swarm use.</summary>
    public int BindPort { get; set; } = 7946;

    /// <summary>Address other nodes use to reach this one (default: the bind address, which must then be specific).</summary>
    public IPAddress? AdvertiseAddress { get; set; }

    /// <summary>Interval between failure-detection probes (before Lifeguard scaling).</summary>
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long to wait for a direct ack before asking others to probe (indirect probe).</summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Members asked to probe a target that missed its direct ack.</summary>
    public int IndirectChecks { get; set; } = 3;

    /// <summary>Suspicion timeout = multiplier * log10(max(1, n)) * probe interval (floored at one interval).</summary>
    public int SuspicionMultiplier { get; set; } = 4;

    /// <summary>Upper bound of the suspicion timeout as a multiple of its lower bound (Lifeguard).</summary>
    public int SuspicionMaxTimeoutMultiplier { get; set; } = 6;

    /// <summary>Interval between gossip rounds.</summary>
    public TimeSpan GossipInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Members each gossip round sends to.</summary>
    public int GossipNodes { get; set; } = 3;

    /// <summary>How long failed members still receive gossip (helps them refute quickly after a partition).</summary>
    public TimeSpan GossipToTheDeadTime { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Interval of the full-state TCP exchange with one random member (scaled up beyond 32 members).</summary>
    public TimeSpan PushPullInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Interval of the per-network table sync with one member of each network (networkdb's bulk sync).</summary>
    public TimeSpan TableSyncInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Each broadcast is sent multiplier * ceil(log10(n + 1)) times.</summary>
    public int RetransmitMultiplier { get; set; } = 4;

    /// <summary>Lifeguard: probe intervals and timeouts stretch up to this factor when this node is unhealthy.</summary>
    public int AwarenessMaxMultiplier { get; set; } = 8;

    /// <summary>How long a deleted entry's tombstone is kept (networkdb's reapEntryInterval).</summary>
    public TimeSpan TombstoneReapTime { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How long a failed member and its suspended entries are kept (networkdb's nodeReapInterval).</summary>
    public TimeSpan FailedNodeReapTime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Connect and write deadline of a TCP exchange.</summary>
    public TimeSpan TcpTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Send a TCP ping alongside the indirect probes (catches UDP-only loss).</summary>
    public bool TcpFallbackProbe { get; set; } = true;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first bad field and its value.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(NodeName) || Encoding.UTF8.GetByteCount(NodeName) > 255 || NodeName.Any(char.IsControl))
        {
            throw new ArgumentException($"{nameof(NodeName)} '{NodeName}' must be 1..255 bytes of UTF-8 without control characters", nameof(NodeName));
        }
        ArgumentNullException.ThrowIfNull(BindAddress, nameof(BindAddress));
        if (BindPort is < 0 or > 65535)
        {
            throw new ArgumentException($"{nameof(BindPort)} {BindPort} is outside 0..65535", nameof(BindPort));
        }
        Positive(ProbeInterval, nameof(ProbeInterval));
        Positive(ProbeTimeout, nameof(ProbeTimeout));
        if (ProbeTimeout >= ProbeInterval)
        {
            throw new ArgumentException($"{nameof(ProbeTimeout)} {ProbeTimeout} must be shorter than {nameof(ProbeInterval)} {ProbeInterval}", nameof(ProbeTimeout));
        }
        Positive(GossipInterval, nameof(GossipInterval));
        Positive(PushPullInterval, nameof(PushPullInterval));
        Positive(TableSyncInterval, nameof(TableSyncInterval));
        Positive(TombstoneReapTime, nameof(TombstoneReapTime));
        Positive(FailedNodeReapTime, nameof(FailedNodeReapTime));
        Positive(TcpTimeout, nameof(TcpTimeout));
        NonNegative(GossipToTheDeadTime, nameof(GossipToTheDeadTime));
        AtLeast(IndirectChecks, 0, nameof(IndirectChecks));
        AtLeast(SuspicionMultiplier, 1, nameof(SuspicionMultiplier));
        AtLeast(SuspicionMaxTimeoutMultiplier, 1, nameof(SuspicionMaxTimeoutMultiplier));
        AtLeast(GossipNodes, 1, nameof(GossipNodes));
        AtLeast(RetransmitMultiplier, 1, nameof(RetransmitMultiplier));
        AtLeast(AwarenessMaxMultiplier, 1, nameof(AwarenessMaxMultiplier));
    }

    private static void Positive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{name} {value} must be positive", name);
        }
    }

    private static void NonNegative(TimeSpan value, string name)
    {
        if (value < TimeSpan.Zero)
        {
            throw new ArgumentException($"{name} {value} must not be negative", name);
        }
    }

    private static void AtLeast(int value, int min, string name)
    {
        if (value < min)
        {
            throw new ArgumentException($"{name} {value} must be at least {min}", name);
        }
    }
}
