namespace Netstack.Runtime.Containers;

/// <summary>A network the container asked for (<c>--network</c>, <c>--ip</c>, <c>--network-alias</c>).</summary>
public sealed record ContainerNetworkRequest(
    string Network,
    string? IPv4Address = null,
    string? IPv6Address = null,
    IReadOnlyList<string>? Aliases = null);
