using Netstack.Core;
using Netstack.TestKit;
using Xunit;

namespace Netstack.Privileged.Tests.Macvlan;

/// <summary><c>parent=IF.VLAN</c>: the 802.1Q sub-interface, made and deleted only by the driver, or a clear refusal.</summary>
public sealed class MacvlanVlanParentTests
{
    [PrivilegedFact]
    public async Task VlanParent_MadeIfTheKernelCan_ElseAClearError_AndNothingLeftEitherWay()
    {
        await using var lab = MacvlanLab.Create();
        var before = Segment.LinkNames(lab.Host);

        if (!KernelHasVlanSupport())
        {
            var e = await Assert.ThrowsAsync<NotImplementedNetstackException>(() => lab.CreateNetworkAsync(Segment.Subnet, MacvlanLab.Options("uplink.10")));
            Assert.StartsWith("macvlan parent uplink.10: this kernel has no 802.1Q (vlan) support", e.Message, StringComparison.Ordinal);
            Assert.Equal(before, Segment.LinkNames(lab.Host));
            return;
        }

        // A kernel with 8021q: the sub-interface appears with the driver's mark and goes with the last network.
        var first = await lab.CreateNetworkAsync(Segment.Subnet, MacvlanLab.Options("uplink.10"));
        var second = await lab.CreateNetworkAsync("198.51.100.0/24", MacvlanLab.Options("uplink.10"));
        var vlan = lab.Host.IpJson("-d", "link", "show", "uplink.10")[0];
        Assert.Equal(10, vlan.GetProperty("linkinfo").GetProperty("info_data").GetProperty("id").GetInt32());
        await lab.DeleteNetworkAsync(first);
        Assert.Contains("uplink.10", Segment.LinkNames(lab.Host));
        await lab.DeleteNetworkAsync(second);
        Assert.Equal(before, Segment.LinkNames(lab.Host));
    }

    [PrivilegedTheory]
    [InlineData("uplink.0")]
    [InlineData("uplink.4095")]
    [InlineData("uplink.x")]
    [InlineData("uplink.")]
    [InlineData(".10")]
    public async Task VlanParent_BadVlanId_IsInvalidParameterNamingParent(string parent)
    {
        await using var lab = MacvlanLab.Create();
        var before = Segment.LinkNames(lab.Host);

        var e = await Assert.ThrowsAsync<InvalidParameterException>(() => lab.CreateNetworkAsync(Segment.Subnet, MacvlanLab.Options(parent)));

        Assert.Equal("parent", e.Field);
        Assert.Equal(parent, e.Value);
        Assert.Equal(before, Segment.LinkNames(lab.Host));
    }

    [PrivilegedFact]
    public async Task VlanParent_UnknownBaseInterface_IsInvalidParameterNamingIt()
    {
        await using var lab = MacvlanLab.Create();

        var e = await Assert.ThrowsAsync<InvalidParameterException>(() => lab.CreateNetworkAsync(Segment.Subnet, MacvlanLab.Options("nosuch0.10")));

        Assert.Equal("parent", e.Field);
        Assert.Contains("nosuch0", e.Message, StringComparison.Ordinal);
    }

    [PrivilegedFact]
    public async Task DottedParentTheAdministratorMade_IsUsedAsIs_AndNotDeletedWithTheNetwork()
    {
        await using var lab = MacvlanLab.Create();
        // An interface whose name looks like IF.VLAN but that the driver did not make (a veth here).
        using var segment = Segment.Attach(lab.Host, "uplink.20", hostAddress: null);
        var network = await lab.CreateNetworkAsync(Segment.Subnet, MacvlanLab.Options("uplink.20"));
        var a = await lab.ConnectAsync(network, "192.0.2.10");

        Assert.True(NamespacePing.Any(a.Ns, Segment.MachineAddress), "a cannot reach the machine behind uplink.20");
        await lab.DisconnectAsync(network, a);
        await lab.DeleteNetworkAsync(network);
        Assert.Contains("uplink.20", Segment.LinkNames(lab.Host));
    }

    /// <summary>Asks the kernel directly (iproute2 in a throwaway namespace) whether it can make a vlan link.</summary>
    private static bool KernelHasVlanSupport()
    {
        using var probe = TestNamespace.Create();
        probe.Ip("link", "add", "p0", "type", "veth", "peer", "name", "p1");
        return probe.TryExec("ip", "link", "add", "link", "p0", "name", "p0.10", "type", "vlan", "id", "10").ExitCode == 0;
    }
}
