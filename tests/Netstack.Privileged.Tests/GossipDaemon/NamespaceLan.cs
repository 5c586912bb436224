using System.Security.Cryptography;
using Netstack.TestKit;

namespace Netstack.Privileged.Tests.GossipDaemon;

/// <summary>
/// Namespace hosts on one LAN: <c>nst-RAND-a</c>, <c>-b</c>, ... each with <c>eth0</c> at
/// <c>10.X.Y.N/24</c>, their veth peers enslaved to <c>br0</c> in a fourth namespace <c>nst-RAND-lan</c>.
/// Nothing is created in the machine's own namespace; Dispose deletes every namespace (which
/// takes the veth pairs and the bridge with it).
/// </summary>
internal sealed class NamespaceLan : IDisposable
{
    private readonly List<string> _namespaces = [];

    private NamespaceLan(string prefix, string subnetPrefix)
    {
        Prefix = prefix;
        SubnetPrefix = subnetPrefix;
    }

    /// <summary><c>nst-RAND</c>: every namespace of this LAN starts with it.</summary>
    public string Prefix { get; }

    /// <summary>The first three octets, e.g. <c>10.57.130</c>.</summary>
    public string SubnetPrefix { get; }

    public string Bridge => Prefix + "-lan";

    /// <summary>The host names in creation order: host <c>Hosts[i]</c> is at <c>.i+1</c>.</summary>
    public string[] Hosts { get; private init; } = [];

    /// <summary>Creates the LAN namespace with its bridge and <paramref name="hosts"/> host namespaces (.1, .2, ...).</summary>
    public static NamespaceLan Create(params string[] hosts)
    {
        ArgumentNullException.ThrowIfNull(hosts);
        var random = RandomNumberGenerator.GetBytes(2);
        var lan = new NamespaceLan(TestNamespace.NewName(), $"10.{64 + (random[0] % 128)}.{random[1]}") { Hosts = hosts };
        try
        {
            lan.AddNamespace(lan.Bridge);
            TestNamespace.Run("ip", "-n", lan.Bridge, "link", "add", "br0", "type", "bridge");
            TestNamespace.Run("ip", "-n", lan.Bridge, "link", "set", "br0", "up");
            for (var i = 0; i < hosts.Length; i++)
            {
                var ns = lan.HostNamespace(hosts[i]);
                lan.AddNamespace(ns);
                var port = "v" + hosts[i];
                // Both ends are born inside test namespaces: the machine's own namespace never sees them.
                TestNamespace.Run("ip", "-n", lan.Bridge, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", ns);
                TestNamespace.Run("ip", "-n", lan.Bridge, "link", "set", port, "master", "br0", "up");
                TestNamespace.Run("ip", "-n", ns, "addr", "add", $"{lan.SubnetPrefix}.{i + 1}/24", "dev", "eth0");
                TestNamespace.Run("ip", "-n", ns, "link", "set", "eth0", "up");
                TestNamespace.Run("ip", "-n", ns, "link", "set", "lo", "up");
            }
            return lan;
        }
        catch
        {
            lan.Dispose();
            throw;
        }
    }

    public string HostNamespace(string host) => $"{Prefix}-{host}";

    /// <summary>
    /// Plugs a namespace made elsewhere (a daemon's own host namespace) into the LAN as
    /// <c>eth0</c> at <c>.<paramref name="number"/>/24</c>; the veth pair goes when that namespace is
    /// deleted. Returns the address.
    /// </summary>
    public string Attach(string namespaceName, int number)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(number, Hosts.Length + 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(number, 254);
        var port = "x" + number.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var address = $"{SubnetPrefix}.{number}";
        TestNamespace.Run("ip", "-n", Bridge, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", namespaceName);
        TestNamespace.Run("ip", "-n", Bridge, "link", "set", port, "master", "br0", "up");
        TestNamespace.Run("ip", "-n", namespaceName, "addr", "add", address + "/24", "dev", "eth0");
        TestNamespace.Run("ip", "-n", namespaceName, "link", "set", "eth0", "up");
        return address;
    }

    public string NamespacePath(string host) => Path.Combine(TestNamespace.Directory, HostNamespace(host));

    public void Dispose()
    {
        foreach (var ns in Enumerable.Reverse(_namespaces))
        {
            TestNamespace.TryRun("ip", "netns", "delete", ns);
        }
        _namespaces.Clear();
    }

    private void AddNamespace(string name)
    {
        TestNamespace.Run("ip", "netns", "add", name);
        _namespaces.Add(name);
    }
}
