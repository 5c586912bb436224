using System.Net;
using System.Net.NetworkInformation;
using Netstack.Linux;
using Netstack.TestKit;
using Xunit;

namespace Netstack.Privileged.Tests.Linux;

/// <summary>
/// The announcement frames against the real kernel: host A tries to reach an address nobody has yet
/// (its neighbour entry stays unresolved, and with a 60 s retransmit time it would not ask again
/// during the test); host B then announces the address through <see cref="LinkLayerSender"/>, and
/// A's entry resolves to the announced MAC. An address A never asked for gets no entry.
/// </summary>
public sealed class NeighbourAnnouncementTests
{
    private static readonly PhysicalAddress Mac = PhysicalAddress.Parse("02-00-00-31-00-09");

    [PrivilegedTheory]
    [InlineData("10.31.0.9", "10.31.0.10")]
    [InlineData("fd31::9", "fd31::10")]
    public async Task Announcement_ResolvesAnEntryThatWasAsked_AndCreatesNoOther(string asked, string notAsked)
    {
        using var a = TestNamespace.Create();
        using var b = TestNamespace.Create();
        TestNamespace.Run("ip", "link", "add", "va", "netns", a.Name, "type", "veth", "peer", "name", "vb", "netns", b.Name);
        a.Ip("addr", "add", "10.31.0.1/24", "dev", "va");
        a.Ip("addr", "add", "fd31::1/64", "dev", "va", "nodad");
        a.Ip("link", "set", "va", "up");
        b.Ip("link", "set", "vb", "up");
        var family = asked.Contains(':', StringComparison.Ordinal) ? "ipv6" : "ipv4";
        a.Exec("sysctl", "-qw", $"net.{family}.neigh.va.retrans_time_ms=60000");

        // One probe goes out now; the next would be a minute later.
        a.TryExec("busybox", family == "ipv6" ? "ping6" : "ping", "-c", "1", "-W", "1", asked);
        Assert.Contains(Entries(a), e => e.Dst == asked && e.Lladdr is null);

        using (var sender = LinkLayerSender.Open(b.Namespace, b.Netlink.LinkIndex("vb")))
        {
            sender.Send(NeighbourAnnouncement.Build(IPAddress.Parse(asked), Mac));
            sender.Send(NeighbourAnnouncement.Build(IPAddress.Parse(notAsked), Mac));
        }

        var resolved = false;
        for (var i = 0; i < 100 && !resolved; i++)
        {
            resolved = Entries(a).Any(e => e.Dst == asked && e.Lladdr == "02:00:00:31:00:09");
            if (!resolved)
            {
                await Task.Delay(100);
            }
        }
        Assert.True(resolved, $"the unresolved entry for {asked} took the announced MAC: {string.Join(", ", Entries(a))}");
        Assert.DoesNotContain(Entries(a), e => e.Dst == notAsked);
    }

    private static List<(string Dst, string? Lladdr)> Entries(TestNamespace ns) =>
        ns.IpJson("neigh", "show", "dev", "va").EnumerateArray()
            .Select(e => (e.GetProperty("dst").GetString()!, e.TryGetProperty("lladdr", out var l) ? l.GetString() : null))
            .ToList();
}
