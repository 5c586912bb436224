using Netstack.Core;
using Netstack.Core.Drivers;
using Netstack.Linux;
using Netstack.TestKit;
using Xunit;

namespace Netstack.Privileged.Tests.Macvlan;

/// <summary>Bad options and clashes between networks: each a clear error naming the cause, and no link left behind.</summary>
public sealed class MacvlanValidationTests
{
    [PrivilegedFact]
    public async Task CreateNetwork_WithoutParent_IsInvalidParameterNamingParent()
    {
        await using var lab = MacvlanLab.Create();
        var before = Segment.LinkNames(lab.Host);

        var e = await Assert.ThrowsAsync<InvalidParameterException>(() => lab.CreateNetworkAsync(Segment.Subnet, MacvlanLab.Options(null)));

        Assert.Equal("parent", e.Field);
        Assert.Equal(ErrorCategory.InvalidParameter, e.Category);
        Assert.Contains("parent", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, Segment.LinkNames(lab.Host));
    }

    [PrivilegedTheory]
    [InlineData("nosuch0")]
    [InlineData("way-too-long-interface-name")]
    [InlineData("eth/0")]
    public async Task CreateNetwork_UnknownOrBadParent_IsInvalidParameterNamingIt(string parent)
    {
        await using var lab = MacvlanLab.Create();
        var before = Segment.LinkNames(lab.Host);

        var e = await Assert.ThrowsAsync<InvalidParameterException>(() => lab.CreateNetworkAsync(Segment.Subnet, MacvlanLab.Options(parent)));

        Assert.Equal("parent", e.Field);
        Assert.Equal(parent, e.Value);
        Assert.Contains(parent, e.Message, StringComparison.Ordinal);
        Assert.Equal(before, Segment.LinkNames(lab.Host));
    }

    [PrivilegedTheory]
    [InlineData("bridged")]
    [InlineData("BRIDGE")]
    [InlineData("source")]
    public async Task CreateNetwork_UnknownMode_IsInvalidParameterNamingOptionAndValue(string mode)
    {
        await using var lab = MacvlanLab.Create();

        var e = await Assert.ThrowsAsync<InvalidParameterException>(() => lab.CreateNetworkAsync(Segment.Subnet, MacvlanLab.Options(Segment.Uplink, mode)));

        Assert.Equal("macvlan_mode", e.Field);
        Assert.Equal(mode, e.Value);
        Assert.Contains($"macvlan_mode \"{mode}\"", e.Message, StringComparison.Ordinal);
    }

    [PrivilegedFact]
    public async Task CreateNetwork_PassthruOnAParentInUse_AndAnythingOnAPassthruParent_AreConflicts()
    {
        await using var lab = MacvlanLab.Create();
        var first = await lab.CreateNetworkAsync(Segment.Subnet, MacvlanLab.Options(Segment.Uplink));

        var passthru = await Assert.ThrowsAsync<ConflictException>(() => lab.CreateNetworkAsync("198.51.100.0/24", MacvlanLab.Options(Segment.Uplink, "passthru")));
        Assert.Contains("passthru", passthru.Message, StringComparison.Ordinal);
        Assert.Contains(Segment.Uplink, passthru.Message, StringComparison.Ordinal);

        await lab.DeleteNetworkAsync(first);
        await lab.CreateNetworkAsync(Segment.Subnet, MacvlanLab.Options(Segment.Uplink, "passthru"));
        var onPassthru = await Assert.ThrowsAsync<ConflictException>(() => lab.CreateNetworkAsync("198.51.100.0/24", MacvlanLab.Options(Segment.Uplink, "bridge")));
        Assert.Contains("passthru", onPassthru.Message, StringComparison.Ordinal);
        Assert.Equal(["lo", Segment.Uplink], Segment.LinkNames(lab.Host));
    }

    [PrivilegedFact]
    public async Task PassthruNetwork_Sandbox_ReachesTheMachine_WithTheParentsMac()
    {
        await using var lab = MacvlanLab.Create();
        var parentMac = lab.Host.IpJson("link", "show", Segment.Uplink)[0].GetProperty("address").GetString();
        var network = await lab.CreateNetworkAsync(Segment.Subnet, MacvlanLab.Options(Segment.Uplink, "passthru"));
        var a = await lab.ConnectAsync(network, "192.0.2.10");

        Assert.Equal(parentMac, a.MacAddress);
        Assert.Equal(parentMac, a.Ns.IpJson("link", "show", "eth0")[0].GetProperty("address").GetString());
        Assert.True(NamespacePing.Any(a.Ns, Segment.MachineAddress), "a passthru sandbox cannot reach the machine");
        await lab.DisconnectAsync(network, a);
        Assert.Equal(parentMac, lab.Host.IpJson("link", "show", Segment.Uplink)[0].GetProperty("address").GetString());
    }

    [PrivilegedFact]
    public async Task CreateNetwork_SubnetUsedOnTheSameParent_IsConflict_OnAnotherParentIsFine()
    {
        await using var lab = MacvlanLab.Create();
        using var other = Segment.Attach(lab.Host, "uplink2", hostAddress: null);
        var first = await lab.CreateNetworkAsync(Segment.Subnet, MacvlanLab.Options(Segment.Uplink));

        var same = await Assert.ThrowsAsync<ConflictException>(() => lab.CreateNetworkAsync(Segment.Subnet, MacvlanLab.Options(Segment.Uplink)));
        var inside = await Assert.ThrowsAsync<ConflictException>(() => lab.CreateNetworkAsync("192.0.2.128/25", MacvlanLab.Options(Segment.Uplink)));
        Assert.Contains("192.0.2.0/24", same.Message, StringComparison.Ordinal);
        Assert.Contains(first.NetworkId, same.Message, StringComparison.Ordinal);
        Assert.Contains("192.0.2.128/25", inside.Message, StringComparison.Ordinal);

        // Control: the same subnet on another parent (another segment) and another subnet on this one are accepted.
        await lab.CreateNetworkAsync(Segment.Subnet, MacvlanLab.Options("uplink2"));
        await lab.CreateNetworkAsync("198.51.100.0/24", MacvlanLab.Options(Segment.Uplink));
        Assert.Equal(["lo", Segment.Uplink, "uplink2"], Segment.LinkNames(lab.Host));
    }

    [PrivilegedFact]
    public async Task Mtu_IsAppliedToTheSandboxInterface_AndOneAboveTheParentsIsRefused()
    {
        await using var lab = MacvlanLab.Create();
        var options = MacvlanLab.Options(Segment.Uplink);
        options["com.docker.network.driver.mtu"] = "1400";
        var network = await lab.CreateNetworkAsync(Segment.Subnet, options);
        var a = await lab.ConnectAsync(network, "192.0.2.10");

        Assert.Equal(1400, a.Ns.IpJson("link", "show", "eth0")[0].GetProperty("mtu").GetInt32());
        var tooBig = MacvlanLab.Options(Segment.Uplink);
        tooBig["com.docker.network.driver.mtu"] = "9000";
        var e = await Assert.ThrowsAsync<InvalidParameterException>(() => lab.CreateNetworkAsync("198.51.100.0/24", tooBig));
        Assert.Equal("com.docker.network.driver.mtu", e.Field);
        Assert.Contains("1500", e.Message, StringComparison.Ordinal);
    }

    [PrivilegedFact]
    public async Task Join_UnknownNetwork_IsNotFound_AndNothingAppearsInTheSandbox()
    {
        await using var lab = MacvlanLab.Create();
        using var sandbox = TestNamespace.Create();

        await Assert.ThrowsAsync<NotFoundException>(() => lab.Driver.JoinAsync(new JoinRequest
        {
            NetworkId = ObjectId.New(),
            EndpointId = ObjectId.New(),
            SandboxKey = sandbox.Namespace.Path,
            InterfaceName = "eth0",
            MacAddress = "02:42:c0:00:02:0a",
        }, CancellationToken.None));

        Assert.Equal(["lo"], Segment.LinkNames(sandbox));
    }

    [PrivilegedFact]
    public async Task Join_InterfaceNameTaken_IsConflict_AndTheExistingLinkStays()
    {
        await using var lab = MacvlanLab.Create();
        var network = await lab.CreateNetworkAsync(Segment.Subnet, MacvlanLab.Options(Segment.Uplink));
        var a = await lab.ConnectAsync(network, "192.0.2.10");

        var e = await Assert.ThrowsAsync<ConflictException>(() => lab.Driver.JoinAsync(new JoinRequest
        {
            NetworkId = network.NetworkId,
            EndpointId = ObjectId.New(),
            SandboxKey = a.Ns.Namespace.Path,
            InterfaceName = "eth0",
            MacAddress = "02:42:c0:00:02:0b",
        }, CancellationToken.None));

        Assert.Contains("eth0", e.Message, StringComparison.Ordinal);
        Assert.Equal(a.MacAddress, a.Ns.IpJson("link", "show", "eth0")[0].GetProperty("address").GetString());
    }

    [PrivilegedFact]
    public async Task Reconcile_RebuildsTheTable_SoConflictsAndLeaveWorkAfterARestart_AndReportsALostInterface()
    {
        await using var lab = MacvlanLab.Create();
        var network = await lab.CreateNetworkAsync(Segment.Subnet, MacvlanLab.Options(Segment.Uplink));
        var a = await lab.ConnectAsync(network, "192.0.2.10");
        var b = await lab.ConnectAsync(network, "192.0.2.11");
        b.Ns.Ip("link", "del", "eth0");

        using var restarted = new Netstack.Drivers.Macvlan.MacvlanDriver(new Netstack.Drivers.Macvlan.MacvlanDriverOptions { HostNamespacePath = lab.Host.Namespace.Path });
        var report = await restarted.ReconcileAsync(new DriverReconcileRequest
        {
            Networks = [network],
            Endpoints = [Joined(network, a), Joined(network, b)],
        }, CancellationToken.None);

        var error = Assert.Single(report.Errors);
        Assert.Contains(b.EndpointId, error, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ConflictException>(() => restarted.CreateNetworkAsync(MacvlanLab.Network(Segment.Subnet, MacvlanLab.Options(Segment.Uplink)), CancellationToken.None));
        // Leave works from what reconcile restored: the macvlan goes from the sandbox.
        await restarted.LeaveAsync(network.NetworkId, a.EndpointId, CancellationToken.None);
        Assert.Equal(["lo"], Segment.LinkNames(a.Ns));
    }

    private static DriverEndpointState Joined(DriverNetwork network, LabSandbox sandbox) => new()
    {
        Endpoint = new DriverEndpoint { NetworkId = network.NetworkId, EndpointId = sandbox.EndpointId, MacAddress = sandbox.MacAddress },
        Join = new JoinRequest { NetworkId = network.NetworkId, EndpointId = sandbox.EndpointId, SandboxKey = sandbox.Ns.Namespace.Path, InterfaceName = "eth0", MacAddress = sandbox.MacAddress },
    };
}
