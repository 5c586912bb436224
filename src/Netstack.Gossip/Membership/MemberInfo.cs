using System.Net;

namespace Netstack.Gossip.Membership;

/// <summary>A member as this node sees it: what `netstack node ls` prints.</summary>
/// <param name="Name">Unique node name.</param>
/// <param name="Address">Gossip address (UDP and TCP).</param>
/// <param name="State">Alive, suspect, failed or left.</param>
/// <param name="Since">When this node last saw the state change.</param>
/// <param name="Incarnation">The member's incarnation number (raised by the member to refute suspicion).</param>
public sealed record MemberInfo(string Name, IPEndPoint Address, MemberState State, DateTimeOffset Since, uint Incarnation);
