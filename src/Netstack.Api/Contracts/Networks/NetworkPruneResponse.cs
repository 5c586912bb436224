namespace Netstack.Api.Contracts.Networks;

/// <summary>Answer of <c>POST /networks/prune</c>: names of the removed networks.</summary>
public sealed class NetworkPruneResponse
{
    public List<string> NetworksDeleted { get; set; } = [];
}
