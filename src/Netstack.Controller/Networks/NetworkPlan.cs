using System.Net;
using System.Net.Sockets;
using Netstack.Core;
using Netstack.Core.Drivers;
using Netstack.Core.Ipam;

namespace Netstack.Controller;

/// <summary>One pool of a network spec, validated.</summary>
internal sealed record PoolPlan(IPNetwork? Subnet, IPNetwork? IpRange, IPAddress? Gateway, Dictionary<string, IPAddress> AuxAddresses, bool IPv6);

/// <summary>A network spec after validation: everything parsed, every rule checked, nothing changed yet.</summary>
internal sealed record NetworkPlan(
    string Id,
    NetworkSpec Spec,
    INetworkDriver Driver,
    IIpamDriver Ipam,
    NetworkScope Scope,
    bool Internal,
    bool EnableIPv6,
    IReadOnlyList<PoolPlan> Pools,
    IReadOnlyList<int> RequestedVxlanIds)
{
    /// <summary>Docker's overlay VNIs start here; lower ids are left to hand-made VXLAN devices.</summary>
    public const int FirstAutoVxlanId = 4096;

    public const int MaxVxlanId = 16777215;

    /// <summary>
    /// Validates a spec. Every error names the field (as the docker CLI flag: subnet, ip-range,
    /// gateway, aux-address, driver, ...) and the bad value.
    /// </summary>
    public static NetworkPlan Create(NetworkSpec spec, IDriverRegistry drivers, bool hasClusterStore = false)
    {
        ArgumentNullException.ThrowIfNull(spec);
        NameRules.Validate("name", spec.Name);
        if (ObjectId.IsFull(spec.Name))
        {
            throw new InvalidParameterException("name", spec.Name, "a network name cannot look like a full network id");
        }
        if (spec.Id is not null && !ObjectId.IsFull(spec.Id))
        {
            throw new InvalidParameterException("id", spec.Id, "an id is 64 lower-case hex digits");
        }
        if (string.IsNullOrEmpty(spec.Driver) || !drivers.TryGetNetworkDriver(spec.Driver, out var driver))
        {
            var known = string.Join(", ", drivers.NetworkDrivers.Select(d => d.Type).Order(StringComparer.Ordinal));
            throw new InvalidParameterException("driver", spec.Driver, $"no such network driver (registered: {known})");
        }
        var ipamName = string.IsNullOrEmpty(spec.Ipam.Driver) ? "default" : spec.Ipam.Driver;
        if (!drivers.TryGetIpamDriver(ipamName, out var ipam))
        {
            var known = string.Join(", ", drivers.IpamDrivers.Select(d => d.Name).Order(StringComparer.Ordinal));
            throw new InvalidParameterException("ipam driver", ipamName, $"no such IPAM driver (registered: {known})");
        }
        var scope = spec.Scope ?? driver.Capabilities.DataScope;
        if (scope == NetworkScope.Global)
        {
            // As Docker: a driver whose networks reach other hosts (macvlan on a shared LAN) may keep
            // its networks in the global store, so addresses are unique cluster-wide.
            if (driver.Capabilities.DataScope != NetworkScope.Global && driver.Capabilities.ConnectivityScope != NetworkScope.Global)
            {
                throw new InvalidParameterException("scope", "global", $"driver {driver.Type} makes local networks only");
            }
            if (!hasClusterStore)
            {
                var field = spec.Scope is null ? "driver" : "scope";
                var value = spec.Scope is null ? driver.Type : "global";
                throw new InvalidParameterException(field, value, "global networks need a cluster store: start netstackd with --cluster-store etcd://HOST:2379 (or \"cluster-store\" in daemon.json)");
            }
        }
        var vxlanIds = ParseVxlanIds(spec.Options, driver);

        var @internal = spec.Internal || OptionFlag(spec.Options, DockerOptions.Internal);
        var enableIPv6 = spec.EnableIPv6 || OptionFlag(spec.Options, DockerOptions.EnableIPv6);
        foreach (var (key, _) in spec.Labels)
        {
            if (string.IsNullOrWhiteSpace(key))
            {
                throw new InvalidParameterException("label", key, "a label needs a key");
            }
        }
        foreach (var (key, _) in spec.Options)
        {
            if (string.IsNullOrWhiteSpace(key))
            {
                throw new InvalidParameterException("opt", key, "an option needs a key");
            }
        }

        var pools = spec.Ipam.Pools.Select(ValidatePool).ToList();
        foreach (var pool in pools.Where(p => p.IPv6))
        {
            if (!enableIPv6)
            {
                throw new InvalidParameterException("subnet", pool.Subnet?.ToString(), "an IPv6 subnet needs IPv6 enabled on the network (--ipv6)");
            }
        }
        for (var i = 0; i < pools.Count; i++)
        {
            for (var j = i + 1; j < pools.Count; j++)
            {
                if (pools[i].Subnet is { } a && pools[j].Subnet is { } b && IPNetworkMath.Overlaps(a, b))
                {
                    throw new InvalidParameterException("subnet", b.ToString(), $"overlaps with subnet {a} of the same network");
                }
            }
        }
        if (!pools.Any(p => !p.IPv6))
        {
            pools.Insert(0, new PoolPlan(null, null, null, new Dictionary<string, IPAddress>(StringComparer.Ordinal), IPv6: false));
        }
        if (enableIPv6 && !pools.Any(p => p.IPv6))
        {
            pools.Add(new PoolPlan(null, null, null, new Dictionary<string, IPAddress>(StringComparer.Ordinal), IPv6: true));
        }
        return new NetworkPlan(spec.Id ?? ObjectId.New(), spec, driver, ipam, scope, @internal, enableIPv6, pools, vxlanIds);
    }

    /// <summary>The user's <c>com.docker.network.driver.overlay.vxlanid_list</c>: ids in 1..16777215, no repeats.</summary>
    private static int[] ParseVxlanIds(IReadOnlyDictionary<string, string> options, INetworkDriver driver)
    {
        if (!options.TryGetValue(DockerOptions.OverlayVxlanIdList, out var text))
        {
            return [];
        }
        if (!driver.Capabilities.NeedsVxlanId)
        {
            throw new InvalidParameterException(DockerOptions.OverlayVxlanIdList, text, $"driver {driver.Type} does not use VXLAN ids");
        }
        var ids = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id) || id < 1 || id > MaxVxlanId)
            {
                throw new InvalidParameterException(DockerOptions.OverlayVxlanIdList, text, $"\"{part}\" is not a VXLAN id (1..{MaxVxlanId})");
            }
            if (ids.Contains(id))
            {
                throw new InvalidParameterException(DockerOptions.OverlayVxlanIdList, text, $"VXLAN id {id} is given twice");
            }
            ids.Add(id);
        }
        return ids.ToArray();
    }

    public string AddressSpace => IpamAddressSpaces.For(Scope);

    private static PoolPlan ValidatePool(IpamPoolSpec pool)
    {
        IPNetwork? subnet = null;
        if (!string.IsNullOrEmpty(pool.Subnet))
        {
            subnet = ParseNetwork("subnet", pool.Subnet);
        }
        IPNetwork? range = null;
        if (!string.IsNullOrEmpty(pool.IpRange))
        {
            var r = ParseNetwork("ip-range", pool.IpRange);
            if (subnet is not { } s)
            {
                throw new InvalidParameterException("ip-range", pool.IpRange, "an ip-range needs a subnet (--subnet)");
            }
            if (!IPNetworkMath.ContainsNetwork(s, r))
            {
                throw new InvalidParameterException("ip-range", pool.IpRange, $"not inside subnet {s}");
            }
            range = r;
        }
        IPAddress? gateway = null;
        if (!string.IsNullOrEmpty(pool.Gateway))
        {
            gateway = ParseHostAddress("gateway", pool.Gateway, subnet);
        }
        var aux = new Dictionary<string, IPAddress>(StringComparer.Ordinal);
        foreach (var (name, value) in pool.AuxAddresses)
        {
            if (string.IsNullOrWhiteSpace(name))
            {
                throw new InvalidParameterException("aux-address", value, "an aux address needs a name (name=ip)");
            }
            var address = ParseHostAddress("aux-address", value, subnet);
            if (gateway is not null && address.Equals(gateway))
            {
                throw new InvalidParameterException("aux-address", $"{name}={value}", "is the gateway address");
            }
            aux[name] = address;
        }
        var ipv6 = subnet is { } sn ? sn.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6 : pool.IPv6;
        return new PoolPlan(subnet, range, gateway, aux, ipv6);
    }

    private static IPNetwork ParseNetwork(string field, string text)
    {
        if (IPNetworkMath.TryParseNetwork(text, out var network))
        {
            return network;
        }
        if (CidrAddress.TryParse(text, out var cidr))
        {
            throw new InvalidParameterException(field, text, $"host bits are set; did you mean {cidr.Network}?");
        }
        throw new InvalidParameterException(field, text, "not a CIDR like 10.20.0.0/24 or fd00:1::/64");
    }

    /// <summary>Parses an address that must be a usable host address inside the subnet.</summary>
    private static IPAddress ParseHostAddress(string field, string text, IPNetwork? subnet)
    {
        if (!IPAddress.TryParse(text, out var address) || address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6) || text.Contains('/', StringComparison.Ordinal))
        {
            throw new InvalidParameterException(field, text, "not an IP address");
        }
        if (subnet is not { } s)
        {
            throw new InvalidParameterException(field, text, $"a {field} needs a subnet (--subnet)");
        }
        if (!s.Contains(address))
        {
            throw new InvalidParameterException(field, text, $"not inside subnet {s}");
        }
        var (first, last) = IPNetworkMath.Range(s);
        var n = IPNetworkMath.ToNumber(address);
        var v4 = address.AddressFamily == AddressFamily.InterNetwork;
        if (n == first && (v4 ? s.PrefixLength < 31 : s.PrefixLength < 127))
        {
            throw new InvalidParameterException(field, text, $"is the network address of subnet {s}");
        }
        if (v4 && n == last && s.PrefixLength < 31)
        {
            throw new InvalidParameterException(field, text, $"is the broadcast address of subnet {s}");
        }
        return address;
    }

    private static bool OptionFlag(IReadOnlyDictionary<string, string> options, string key)
    {
        if (!options.TryGetValue(key, out var text))
        {
            return false;
        }
        if (text.Length == 0)
        {
            // `-o com.docker.network.internal` without a value means "on", as a flag.
            return true;
        }
        return bool.TryParse(text, out var value)
            ? value
            : throw new InvalidParameterException($"option {key}", text, "expected true or false");
    }
}
