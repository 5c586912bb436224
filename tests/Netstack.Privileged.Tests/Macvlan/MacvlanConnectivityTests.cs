using Netstack.TestKit;
using Xunit;

namespace Netstack.Privileged.Tests.Macvlan;

/// <summary>The macvlan driver on a real segment: who reaches whom in each mode, and what the kernel holds.</summary>
public sealed class MacvlanConnectivityTests
{
    [PrivilegedFact]
    public async Task BridgeMode_TwoSandboxes_ReachEachOtherAndTheMachine_ButNotTheHostParent()
    {
        await using var lab = MacvlanLab.Create();
        var network = await lab.CreateNetworkAsync(Segment.Subnet, MacvlanLab.Options(Segment.Uplink));
        var a = await lab.ConnectAsync(network, "192.0.2.10");
        var b = await lab.ConnectAsync(network, "192.0.2.11");

        // The kernel holds a bridge-mode macvlan of the uplink in the sandbox, with the endpoint's MAC.
        var eth0 = a.Ns.IpJson("-d", "link", "show", "eth0")[0];
        var info = eth0.GetProperty("linkinfo");
        Assert.Equal("macvlan", info.GetProperty("info_kind").GetString());
        Assert.Equal("bridge", info.GetProperty("info_data").GetProperty("mode").GetString());
        Assert.Equal(a.MacAddress, eth0.GetProperty("address").GetString());
        Assert.Equal(Segment.MachineAddress, a.Join.Gateway);
        Assert.Equal(["lo", Segment.Uplink], Segment.LinkNames(lab.Host));

        Assert.True(NamespacePing.Any(a.Ns, b.Address), "a cannot reach b on the same macvlan network (bridge mode)");
        Assert.True(NamespacePing.Any(a.Ns, Segment.MachineAddress), "a cannot reach the other machine on the segment");
        Assert.True(NamespacePing.Any(b.Ns, Segment.MachineAddress), "b cannot reach the other machine on the segment");
        Assert.True(NamespacePing.Any(lab.Segment.Machine, a.Address), "the machine cannot reach a");
        // The host's own address on the parent is reachable from the segment, but not from a macvlan on
        // that parent: the kernel hands frames between a macvlan and its parent to neither (the known limit).
        Assert.True(NamespacePing.Any(lab.Segment.Machine, Segment.HostParentAddress), "control: the machine cannot reach the host's parent address");
        Assert.False(NamespacePing.Any(a.Ns, Segment.HostParentAddress), "a sandbox reached the host's own parent address through its macvlan");

        await lab.DisconnectAsync(network, a);
        await lab.DisconnectAsync(network, b);
        Assert.Equal(["lo"], Segment.LinkNames(a.Ns));
        Assert.Equal(["lo"], Segment.LinkNames(b.Ns));
        await lab.DeleteNetworkAsync(network);
        Assert.Equal(["lo", Segment.Uplink], Segment.LinkNames(lab.Host));
    }

    [PrivilegedFact]
    public async Task PrivateMode_TwoSandboxes_DoNotReachEachOther_ButReachTheMachine()
    {
        await using var lab = MacvlanLab.Create();
        var network = await lab.CreateNetworkAsync(Segment.Subnet, MacvlanLab.Options(Segment.Uplink, "private"));
        var a = await lab.ConnectAsync(network, "192.0.2.10");
        var b = await lab.ConnectAsync(network, "192.0.2.11");

        Assert.Equal("private", a.Ns.IpJson("-d", "link", "show", "eth0")[0].GetProperty("linkinfo").GetProperty("info_data").GetProperty("mode").GetString());
        Assert.True(NamespacePing.Any(a.Ns, Segment.MachineAddress), "a cannot reach the machine");
        Assert.True(NamespacePing.Any(b.Ns, Segment.MachineAddress), "b cannot reach the machine");
        Assert.False(NamespacePing.Any(a.Ns, b.Address), "a reached b in private mode");
        Assert.False(NamespacePing.Any(b.Ns, a.Address), "b reached a in private mode");
    }

    [PrivilegedFact]
    public async Task VepaMode_SandboxesReachTheMachine_AndEachOtherOnlyIfTheSwitchHairpins()
    {
        await using var lab = MacvlanLab.Create();
        var network = await lab.CreateNetworkAsync(Segment.Subnet, MacvlanLab.Options(Segment.Uplink, "vepa"));
        var a = await lab.ConnectAsync(network, "192.0.2.10");
        var b = await lab.ConnectAsync(network, "192.0.2.11");

        Assert.True(NamespacePing.Any(a.Ns, Segment.MachineAddress), "a cannot reach the machine");
        // VEPA sends sandbox-to-sandbox frames out to the switch; a Linux bridge port sends nothing back
        // where it came from unless hairpin is on.
        Assert.False(NamespacePing.Any(a.Ns, b.Address), "a reached b in vepa mode without a hairpinning switch");
        lab.Segment.Switch.Netlink.LinkSetHairpin("port-host", true);
        Assert.True(Segment.PingAfterChange(a.Ns, b.Address), "a cannot reach b in vepa mode through a hairpinning switch");
    }

    [PrivilegedFact]
    public async Task Join_SecondInterfaceName_CreatesEth1_AndLeaveRemovesOnlyIt()
    {
        await using var lab = MacvlanLab.Create();
        var network = await lab.CreateNetworkAsync(Segment.Subnet, MacvlanLab.Options(Segment.Uplink));
        var a = await lab.ConnectAsync(network, "192.0.2.10", interfaceName: "eth1");

        Assert.Equal(["eth1", "lo"], Segment.LinkNames(a.Ns));
        Assert.True(NamespacePing.Any(a.Ns, Segment.MachineAddress), "a cannot reach the machine through eth1");
        await lab.DisconnectAsync(network, a);
        // Leaving twice is fine (the contract: Leave of something gone succeeds).
        await lab.Driver.LeaveAsync(network.NetworkId, a.EndpointId, CancellationToken.None);
        Assert.Equal(["lo"], Segment.LinkNames(a.Ns));
    }
}
