namespace Netstack.Core.Drivers;

/// <summary>
/// A multi-host driver that can say which nodes take part in a network, for <c>network inspect</c>
/// (Docker's <c>Peers</c> field). The controller asks it of a driver that implements it.
/// </summary>
public interface INetworkPeers
{
    /// <summary>
    /// The nodes with endpoints on <paramref name="networkId"/> as this node knows them: the node's
    /// name and its tunnel (VTEP) address, ordered by name. Unknown network: empty.
    /// </summary>
    IReadOnlyList<(string Node, string Address)> GetPeers(string networkId);
}
