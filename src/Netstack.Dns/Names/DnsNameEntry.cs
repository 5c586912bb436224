using System.Net;

namespace Netstack.Dns.Names;

/// <summary>
/// The DNS names of one endpoint on one network: the container name, its <c>--network-alias</c>
/// names and its short id; its addresses on that network. <paramref name="SandboxId"/> is the
/// sandbox the endpoint joined, which is what makes the network visible to that sandbox's resolver.
/// </summary>
public sealed record DnsNameEntry(
    string NetworkId,
    string EndpointId,
    string SandboxId,
    IReadOnlyList<string> Names,
    IReadOnlyList<IPAddress> Addresses);
