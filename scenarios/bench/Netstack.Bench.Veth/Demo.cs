using Netstack.Linux;

namespace Netstack.Bench.Veth;

/// <summary>
/// The kernel-layer demo: namespaces PREFIX-a and PREFIX-b joined through bridge br-demo in a third
/// namespace PREFIX-host, all made by Netstack's netlink layer. demo.sh pings across and calls
/// <c>demo down</c> on exit.
/// </summary>
internal static class Demo
{
    private const string Directory = "/run/netns";

    public static void Up(string prefix)
    {
        using var host = NetworkNamespace.Create(prefix + "-host", Directory);
        using var a = NetworkNamespace.Create(prefix + "-a", Directory);
        using var b = NetworkNamespace.Create(prefix + "-b", Directory);
        using var nl = host.OpenNetlink();
        nl.LinkAdd(new BridgeSpec("br-demo") { Up = true });
        nl.AddrAdd("br-demo", InterfaceAddress.Parse("10.88.0.1/24"));
        Console.WriteLine($"{host.Name}: bridge br-demo 10.88.0.1/24");

        var sandboxes = new[] { (a, "veth-a", "10.88.0.2/24"), (b, "veth-b", "10.88.0.3/24") };
        foreach (var (ns, hostEnd, address) in sandboxes)
        {
            nl.LinkAdd(new VethSpec(hostEnd, "eth0") { PeerNamespace = ns, Master = "br-demo", Up = true, PeerUp = true });
            using var inside = ns.OpenNetlink();
            inside.LinkSetUp("lo");
            inside.AddrAdd("eth0", InterfaceAddress.Parse(address));
            inside.RouteAdd(RouteSpec.DefaultVia(System.Net.IPAddress.Parse("10.88.0.1"), "eth0"));
            Console.WriteLine($"{ns.Name}: eth0 {address} (peer of {hostEnd} on br-demo), default via 10.88.0.1");
        }
    }

    public static int Down(string prefix)
    {
        var failures = 0;
        foreach (var suffix in new[] { "-a", "-b", "-host" })
        {
            var name = prefix + suffix;
            if (NetworkNamespace.Exists(name, Directory))
            {
                try
                {
                    NetworkNamespace.Delete(name, Directory);
                    Console.WriteLine($"deleted namespace {name}");
                }
                catch (NetlinkException e)
                {
                    Console.Error.WriteLine(e.Message);
                    failures++;
                }
            }
        }
        return failures == 0 ? 0 : 1;
    }
}
