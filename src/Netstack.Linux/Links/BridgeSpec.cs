namespace Netstack.Linux;

/// <summary>A Linux bridge. Equivalent to <c>ip link add NAME type bridge</c>.</summary>
public sealed record BridgeSpec(string BridgeName) : LinkSpec(BridgeName)
{
    public override string Kind => "bridge";
}
