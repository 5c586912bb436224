using System.Net;
using Netstack.Linux;
using Netstack.TestKit;

namespace Netstack.Privileged.Tests.Macvlan;

/// <summary>
/// A layer-2 segment for a macvlan test, all in namespaces: the host namespace's uplink (the macvlan
/// parent) is one end of a veth whose other end is a port of a bridge in a "switch" namespace; a
/// "machine" namespace is on another port and plays the segment's router (the networks' gateway).
/// Addresses are TEST-NET-1 (RFC 5737), which no real network routes. Disposing removes the switch
/// and the machine (the host namespace belongs to the caller).
/// </summary>
internal sealed class Segment : IDisposable
{
    public const string Subnet = "192.0.2.0/24";
    public const string Uplink = "uplink";
    public static readonly IPAddress MachineAddress = IPAddress.Parse("192.0.2.1");
    public static readonly IPAddress HostParentAddress = IPAddress.Parse("192.0.2.2");

    private Segment(TestNamespace host, TestNamespace @switch, TestNamespace machine)
    {
        Host = host;
        Switch = @switch;
        Machine = machine;
    }

    public TestNamespace Host { get; }

    public TestNamespace Switch { get; }

    public TestNamespace Machine { get; }

    /// <summary>Wires <paramref name="host"/> to a new switch and machine; the uplink is named <paramref name="uplink"/>.</summary>
    public static Segment Attach(TestNamespace host, string uplink = Uplink, string? hostAddress = "192.0.2.2")
    {
        var @switch = TestNamespace.Create();
        TestNamespace? machine = null;
        try
        {
            machine = TestNamespace.Create();
            host.Netlink.LinkSetUp("lo");
            machine.Netlink.LinkSetUp("lo");
            @switch.Netlink.LinkAdd(new BridgeSpec("br0") { Up = true });
            host.Netlink.LinkAdd(new VethSpec(uplink, "port-host") { Up = true, PeerNamespace = @switch.Namespace, PeerUp = true });
            @switch.Netlink.LinkSetMaster("port-host", "br0");
            @switch.Netlink.LinkAdd(new VethSpec("port-machine", "eth0") { Up = true, Master = "br0", PeerNamespace = machine.Namespace, PeerUp = true });
            machine.Netlink.AddrAdd("eth0", new InterfaceAddress(MachineAddress, 24));
            if (hostAddress is not null)
            {
                host.Netlink.AddrAdd(uplink, new InterfaceAddress(IPAddress.Parse(hostAddress), 24));
            }
            return new Segment(host, @switch, machine);
        }
        catch
        {
            machine?.Dispose();
            @switch.Dispose();
            throw;
        }
    }

    /// <summary>Names of the links in the host namespace, sorted.</summary>
    public static IReadOnlyList<string> LinkNames(TestNamespace ns) =>
        [.. ns.IpJson("link", "show").EnumerateArray().Select(l => l.GetProperty("ifname").GetString()!).Order(StringComparer.Ordinal)];

    /// <summary>
    /// For a path that has just been opened (a switch port turned to hairpin): the failed ARP entry
    /// left by an earlier unanswered ping is flushed first, and up to three pings may be lost while
    /// the path settles on a loaded machine. Unlike <see cref="NamespacePing.Any"/>, the stale entry goes first.
    /// </summary>
    public static bool PingAfterChange(TestNamespace from, IPAddress to)
    {
        from.TryExec("ip", "neigh", "flush", "all");
        return NamespacePing.Any(from, to);
    }

    public void Dispose()
    {
        Machine.Dispose();
        Switch.Dispose();
    }
}
