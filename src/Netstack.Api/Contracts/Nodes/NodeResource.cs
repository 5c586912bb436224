namespace Netstack.Api.Contracts.Nodes;

/// <summary>
/// A member of the gossip cluster as one daemon sees it: netstack's own <c>GET /nodes</c> (the
/// engine API has no equivalent outside swarm mode) and <c>netstack node ls --format json</c>.
/// </summary>
public sealed class NodeResource
{
    /// <summary>Unique node name (<c>--node-name</c>, else the advertise address).</summary>
    public string Name { get; set; } = "";

    /// <summary>Gossip address as <c>IP:PORT</c> (UDP and TCP).</summary>
    public string Address { get; set; } = "";

    /// <summary><c>alive</c>, <c>suspect</c>, <c>failed</c> or <c>left</c>.</summary>
    public string State { get; set; } = "";

    /// <summary>When this daemon saw the member enter its current state (UTC).</summary>
    public DateTimeOffset Since { get; set; }
}
