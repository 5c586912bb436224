namespace Netstack.Api.Contracts.Capture;

/// <summary>
/// netstack's own <c>POST /debug/trace</c>: send one probe from inside a container's sandbox and
/// capture it at every hop netstack owns on this host, and on the destination's host when that is
/// another node of the same overlay network. The answer is one <see cref="TraceResult"/>.
/// </summary>
public sealed class TraceRequest
{
    /// <summary>The container or sandbox (name or id) the probe leaves from.</summary>
    public string Container { get; set; } = string.Empty;

    /// <summary>An IPv4 address, or the name of a container or sandbox this daemon knows.</summary>
    public string Destination { get; set; } = string.Empty;

    /// <summary>Probe with a TCP SYN to this port (1-65535) instead of an ICMP echo.</summary>
    public int? TcpPort { get; set; }

    /// <summary>How long to wait for the reply (more than 0, at most 30 seconds; default 2).</summary>
    public double? TimeoutSeconds { get; set; }
}

/// <summary>What a trace saw: each hop in path order, whether the reply came, and where it stopped.</summary>
public sealed class TraceResult
{
    public string Container { get; set; } = string.Empty;

    public string Source { get; set; } = string.Empty;

    public string Destination { get; set; } = string.Empty;

    /// <summary>The destination's container name, when netstack knows it.</summary>
    public string? DestinationName { get; set; }

    /// <summary><c>icmp echo id 0x1234</c> or <c>tcp syn 10.0.0.2:80</c>.</summary>
    public string Probe { get; set; } = string.Empty;

    public List<TraceHop> Hops { get; set; } = [];

    public bool ReplyReceived { get; set; }

    /// <summary>For a TCP probe: <c>open</c> (SYN-ACK), <c>refused</c> (RST) or null.</summary>
    public string? TcpAnswer { get; set; }

    public double? RoundTripMilliseconds { get; set; }

    /// <summary>The first hop where the request (or, on its way back, the reply) was not seen; null when the trace went through.</summary>
    public string? StoppedAt { get; set; }

    /// <summary>One sentence: what happened and where to look first.</summary>
    public string Verdict { get; set; } = string.Empty;

    /// <summary>What was not captured and why (the remote host of an overlay destination, an interface that could not be opened).</summary>
    public List<string> Notes { get; set; } = [];
}

/// <summary>One place the trace listened: what it is and what of the probe it saw there.</summary>
public sealed class TraceHop
{
    public string Interface { get; set; } = string.Empty;

    public string Role { get; set; } = string.Empty;

    /// <summary>The cluster node this hop is on, when it is not the host of the daemon that answered (the destination's host of an overlay trace).</summary>
    public string? Node { get; set; }

    public string? Namespace { get; set; }

    public int RequestsSeen { get; set; }

    public int RepliesSeen { get; set; }

    /// <summary>ARP requests of the source for the next hop, and their answers, seen here.</summary>
    public int ArpRequestsSeen { get; set; }

    public int ArpRepliesSeen { get; set; }

    /// <summary>The interface's state when the trace began: <c>up</c>, <c>down</c> (set down), <c>no-carrier</c> (its peer or lower device is down) or <c>gone</c>.</summary>
    public string? LinkState { get; set; }

    /// <summary>Why this hop could not be captured; null when it was.</summary>
    public string? Error { get; set; }
}
