using System.Net;
using Netstack.Core;
using Netstack.Drivers.Macvlan;
using Netstack.Linux;
using Netstack.TestKit;
using Xunit;

namespace Netstack.Privileged.Tests.Macvlan;

/// <summary>
/// The controller with the real macvlan driver, SQLite store and default IPAM on a namespace segment:
/// the user's subnet, gateway, ip-range and aux addresses, a restart with reconcile, and teardown.
/// </summary>
public sealed class ControllerMacvlanTests : ControllerLabTests
{
    internal override Task<ControllerLab> CreateLabAsync() =>
        MacvlanLab.ControllerLabAsync();

    [PrivilegedFact]
    public async Task Controller_MacvlanNetwork_ConnectRestartDelete_WorksAndLeavesNothing()
    {
        await Controller.CreateNetworkAsync(new NetworkSpec
        {
            Name = "lan",
            Driver = "macvlan",
            Options = new Dictionary<string, string>(StringComparer.Ordinal) { ["parent"] = Segment.Uplink },
            Ipam = new IpamSpec
            {
                Pools = [new IpamPoolSpec
                {
                    Subnet = Segment.Subnet,
                    Gateway = "192.0.2.1",
                    IpRange = "192.0.2.64/26",
                    // The host's own address on the segment: IPAM must never hand it out.
                    AuxAddresses = new Dictionary<string, string>(StringComparer.Ordinal) { ["host"] = "192.0.2.2" },
                }],
            },
        });
        await Controller.CreateSandboxAsync(new SandboxSpec { Name = "a" });
        await Controller.CreateSandboxAsync(new SandboxSpec { Name = "b" });
        var a = await Controller.ConnectAsync("lan", "a");
        // The aux address is reserved: asking for it is refused and b gets an address of the range.
        await Assert.ThrowsAnyAsync<NetstackException>(() => Controller.ConnectAsync("lan", "b", new EndpointSpec { IPv4Address = "192.0.2.2" }));
        var c = await Controller.ConnectAsync("lan", "b");
        using var nsA = NetworkNamespace.Open(a.SandboxKey);

        var range = IPNetwork.Parse("192.0.2.64/26");
        Assert.True(range.Contains(a.IPv4Address!.Value.Address), $"{a.IPv4Address} is outside the ip-range");
        Assert.True(range.Contains(c.IPv4Address!.Value.Address), $"{c.IPv4Address} is outside the ip-range");
        Assert.Equal(Segment.MachineAddress, a.Gateway);
        Assert.Equal("eth0", a.InterfaceName);
        var route = Assert.Single(ControllerLab.IpJsonIn(a.SandboxKey, "route", "show", "default").EnumerateArray());
        Assert.Equal("192.0.2.1", route.GetProperty("gateway").GetString());
        Assert.True(ControllerLab.PingIn(a.SandboxKey, c.IPv4Address!.Value.Address), "a cannot reach b");
        Assert.True(ControllerLab.PingIn(a.SandboxKey, Segment.MachineAddress), "a cannot reach the machine (the gateway)");

        // Restart: a new store handle, driver and controller; reconcile gives the driver its table back,
        // so the check between networks still sees "lan" (passthru needs the parent to itself).
        await Lab.StopAsync();
        await Lab.StartAsync();
        var report = await Controller.ReconcileAsync();
        Assert.True(report.Errors.Count == 0, string.Join("; ", report.Errors));
        var passthru = await Assert.ThrowsAsync<ConflictException>(() => Controller.CreateNetworkAsync(new NetworkSpec
        {
            Name = "pt",
            Driver = "macvlan",
            Options = new Dictionary<string, string>(StringComparer.Ordinal) { ["parent"] = Segment.Uplink, ["macvlan_mode"] = "passthru" },
            Ipam = new IpamSpec { Pools = [new IpamPoolSpec { Subnet = "198.51.100.0/24" }] },
        }));
        Assert.Contains("passthru", passthru.Message, StringComparison.Ordinal);
        Assert.True(ControllerLab.PingIn(a.SandboxKey, Segment.MachineAddress), "a lost the machine across the restart");

        await Controller.DisconnectAsync("lan", "a");
        await Controller.DisconnectAsync("lan", "b");
        Assert.DoesNotContain(ControllerLab.IpJsonIn(a.SandboxKey, "link", "show").EnumerateArray(), l => l.GetProperty("ifname").GetString() == "eth0");
        await Controller.DeleteNetworkAsync("lan");
        Assert.Equal(["lo", Segment.Uplink], Segment.LinkNames(Lab.Host));
    }

    [PrivilegedFact]
    public async Task Controller_MacvlanNetwork_WithoutParent_Is400_AndNoNetworkRemains()
    {
        var e = await Assert.ThrowsAsync<InvalidParameterException>(() => Controller.CreateNetworkAsync(new NetworkSpec
        {
            Name = "lan",
            Driver = "macvlan",
            Ipam = new IpamSpec { Pools = [new IpamPoolSpec { Subnet = Segment.Subnet }] },
        }));

        Assert.Equal(400, e.Category.ToHttpStatusCode());
        Assert.Contains("parent", e.Message, StringComparison.Ordinal);
        Assert.Empty(await Controller.ListNetworksAsync());
        // The subnet went back to IPAM: a valid network with it is created now.
        await Controller.CreateNetworkAsync(new NetworkSpec
        {
            Name = "lan",
            Driver = "macvlan",
            Options = new Dictionary<string, string>(StringComparer.Ordinal) { ["parent"] = Segment.Uplink },
            Ipam = new IpamSpec { Pools = [new IpamPoolSpec { Subnet = Segment.Subnet }] },
        });
        await Controller.DeleteNetworkAsync("lan");
    }
}
