using System.Collections.Frozen;
using System.Net;
using Netstack.Dns.Wire;

namespace Netstack.Dns.Names;

/// <summary>
/// A ready <see cref="IDnsNameSource"/> the controller can feed with <see cref="Set"/> and
/// <see cref="Remove"/> as endpoints join, leave or get renamed. Readers take an immutable snapshot
/// without locks; each change rebuilds the snapshot (changes are rare next to queries).
/// </summary>
public sealed class DnsNameTable : IDnsNameSource
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string NetworkId, string EndpointId), DnsNameEntry> _entries = [];
    private volatile Snapshot _snapshot = Snapshot.Empty;

    /// <summary>Adds or replaces the names of an endpoint (same network and endpoint id replace).</summary>
    public void Set(DnsNameEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        foreach (var name in entry.Names)
        {
            // Validates now, so a bad name is refused with its text instead of failing every query.
            DnsName.WireLength(name, $"DNS name of endpoint {entry.EndpointId}");
        }

        lock (_gate)
        {
            _entries[(entry.NetworkId, entry.EndpointId)] = entry;
            _snapshot = Snapshot.Build(_entries.Values);
        }
    }

    /// <summary>Removes an endpoint's names; returns false when it had none.</summary>
    public bool Remove(string networkId, string endpointId)
    {
        lock (_gate)
        {
            if (!_entries.Remove((networkId, endpointId)))
            {
                return false;
            }

            _snapshot = Snapshot.Build(_entries.Values);
            return true;
        }
    }

    /// <summary>The names each endpoint is known by, for inspect output.</summary>
    public IReadOnlyList<DnsNameEntry> Entries
    {
        get
        {
            lock (_gate)
            {
                return [.. _entries.Values];
            }
        }
    }

    public bool TryLookupName(DnsAsker asker, string name, out IReadOnlyList<IPAddress> addresses)
    {
        var snapshot = _snapshot;
        addresses = [];
        if (!snapshot.NetworksOfSandbox.TryGetValue(asker.SandboxId, out var networks))
        {
            return false;
        }

        List<IPAddress>? merged = null;
        IReadOnlyList<IPAddress>? single = null;
        foreach (var network in networks)
        {
            if (!snapshot.NamesByNetwork.TryGetValue(network, out var names) || !names.TryGetValue(name, out var found))
            {
                continue;
            }

            if (single is null)
            {
                single = found;
            }
            else
            {
                merged ??= [.. single];
                foreach (var address in found)
                {
                    if (!merged.Contains(address))
                    {
                        merged.Add(address);
                    }
                }
            }
        }

        if (single is null)
        {
            return false;
        }

        addresses = merged ?? single;
        return true;
    }

    public bool TryLookupAddress(DnsAsker asker, IPAddress address, out IReadOnlyList<string> names)
    {
        var snapshot = _snapshot;
        names = [];
        if (!snapshot.NetworksOfSandbox.TryGetValue(asker.SandboxId, out var networks))
        {
            return false;
        }

        foreach (var network in networks)
        {
            if (snapshot.AddressesByNetwork.TryGetValue(network, out var byAddress) && byAddress.TryGetValue(address, out var found))
            {
                names = found;
                return true;
            }
        }

        return false;
    }

    private sealed record Snapshot(
        FrozenDictionary<string, string[]> NetworksOfSandbox,
        FrozenDictionary<string, FrozenDictionary<string, IPAddress[]>> NamesByNetwork,
        FrozenDictionary<string, FrozenDictionary<IPAddress, string[]>> AddressesByNetwork)
    {
        public static readonly Snapshot Empty = Build([]);

        public static Snapshot Build(IEnumerable<DnsNameEntry> entries)
        {
            var list = entries.ToList();
            var sandboxes = list
                .GroupBy(e => e.SandboxId, StringComparer.Ordinal)
                .ToFrozenDictionary(g => g.Key, g => g.Select(e => e.NetworkId).Distinct(StringComparer.Ordinal).ToArray(), StringComparer.Ordinal);
            var names = list
                .GroupBy(e => e.NetworkId, StringComparer.Ordinal)
                .ToFrozenDictionary(
                    g => g.Key,
                    g => g.SelectMany(e => e.Names.Select(n => (Name: DnsName.ToLowerAscii(DnsName.TrimRootDot(n)), Entry: e)))
                        .GroupBy(x => x.Name, StringComparer.Ordinal)
                        .ToFrozenDictionary(x => x.Key, x => x.SelectMany(y => y.Entry.Addresses).Distinct().ToArray(), StringComparer.Ordinal),
                    StringComparer.Ordinal);
            var addresses = list
                .GroupBy(e => e.NetworkId, StringComparer.Ordinal)
                .ToFrozenDictionary(
                    g => g.Key,
                    g => g.SelectMany(e => e.Addresses.Select(a => (Address: a, Entry: e)))
                        .GroupBy(x => x.Address)
                        .ToFrozenDictionary(x => x.Key, x => x.SelectMany(y => y.Entry.Names.Take(1)).Distinct(StringComparer.Ordinal).ToArray()),
                    StringComparer.Ordinal);
            return new Snapshot(sandboxes, names, addresses);
        }
    }
}
