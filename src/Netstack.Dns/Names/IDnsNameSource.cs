using System.Net;

namespace Netstack.Dns.Names;

/// <summary>
/// Where the embedded resolver finds container names. The controller implements it (or feeds a
/// <see cref="DnsNameTable"/>): container names, <c>--network-alias</c> names and short container
/// ids, visible only to sandboxes that share a network with the container. Called on every query,
/// so answers follow joins, leaves and renames at once; it must be fast and thread-safe.
/// </summary>
public interface IDnsNameSource
{
    /// <summary>
    /// Looks up <paramref name="name"/> (lower-case ASCII, no trailing dot). Returns true when the
    /// name belongs to containers the asker can see, with every address under it (IPv4 and IPv6;
    /// the resolver keeps the family asked for and shuffles them). A known name with no address of
    /// the family asked is answered "no data" rather than forwarded, as Docker does.
    /// </summary>
    bool TryLookupName(DnsAsker asker, string name, out IReadOnlyList<IPAddress> addresses);

    /// <summary>Names (for PTR) of the container holding <paramref name="address"/>, if the asker can see it.</summary>
    bool TryLookupAddress(DnsAsker asker, IPAddress address, out IReadOnlyList<string> names);
}
