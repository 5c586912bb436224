using System.Net;
using Netstack.Core;
using Netstack.Core.Drivers;
using Netstack.TestKit;
using Xunit;

namespace Netstack.Privileged.Tests.Macvlan;

/// <summary>
/// The macvlan driver's hand-over join (empty sandbox key, as the Docker plugin asks): the macvlan
/// waits in the host namespace for dockerd to move it; dockerd leaves, moves it back, then deletes
/// the endpoint, which deletes it.
/// </summary>
public sealed class MacvlanHandOverTests
{
    [PrivilegedFact]
    public async Task HandOverJoin_MacvlanWaitsInHostNamespace_MovedItReachesTheSegment_DeleteEndpointAfterMoveBackDeletesIt()
    {
        await using var lab = MacvlanLab.Create();
        var network = await lab.CreateNetworkAsync(Segment.Subnet, MacvlanLab.Options(Segment.Uplink));
        var endpointId = ObjectId.New();
        var mac = (await lab.Driver.CreateEndpointAsync(new DriverEndpoint { NetworkId = network.NetworkId, EndpointId = endpointId, IPv4Address = CidrAddress.Parse("192.0.2.40/24") }, CancellationToken.None)).MacAddress;

        var join = await lab.Driver.JoinAsync(new JoinRequest
        {
            NetworkId = network.NetworkId,
            EndpointId = endpointId,
            SandboxKey = string.Empty,
            InterfaceName = string.Empty,
            MacAddress = mac,
        }, CancellationToken.None);

        var name = "nsm" + endpointId[..12];
        Assert.Equal(name, join.InterfaceName);
        var waiting = lab.Host.IpJson("-d", "link", "show", "dev", name)[0];
        Assert.Equal("macvlan", waiting.GetProperty("linkinfo").GetProperty("info_kind").GetString());
        Assert.DoesNotContain("UP", waiting.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal("02:42:c0:00:02:28", waiting.GetProperty("address").GetString());

        // What dockerd does: into its sandbox, renamed, addressed, up.
        var sandbox = lab.NewNamespace();
        lab.Host.Ip("link", "set", "dev", name, "netns", sandbox.Name);
        sandbox.Ip("link", "set", "dev", name, "name", "eth0");
        sandbox.Ip("addr", "add", "192.0.2.40/24", "dev", "eth0");
        sandbox.Ip("link", "set", "dev", "eth0", "up");
        Assert.True(NamespacePing.Any(sandbox, Segment.MachineAddress), "the moved macvlan reaches the machine on the segment");
        // And at disconnect, in dockerd's order: Leave, back to the host namespace under its first name, DeleteEndpoint.
        await lab.Driver.LeaveAsync(network.NetworkId, endpointId, CancellationToken.None);
        Assert.Single(sandbox.IpJson("link", "show", "type", "macvlan").EnumerateArray());
        sandbox.Ip("link", "set", "dev", "eth0", "down");
        sandbox.Ip("link", "set", "dev", "eth0", "name", name);
        sandbox.Ip("link", "set", "dev", name, "netns", lab.Host.Name);
        await lab.Driver.DeleteEndpointAsync(network.NetworkId, endpointId, CancellationToken.None);

        Assert.Empty(lab.Host.IpJson("link", "show", "type", "macvlan").EnumerateArray());
        Assert.Empty(sandbox.IpJson("link", "show", "type", "macvlan").EnumerateArray());
    }

    [PrivilegedFact]
    public async Task HandOverJoin_Repeated_ReplacesTheWaitingMacvlan_LeaveRemovesIt()
    {
        await using var lab = MacvlanLab.Create();
        var network = await lab.CreateNetworkAsync(Segment.Subnet, MacvlanLab.Options(Segment.Uplink));
        var endpointId = ObjectId.New();
        await lab.Driver.CreateEndpointAsync(new DriverEndpoint { NetworkId = network.NetworkId, EndpointId = endpointId }, CancellationToken.None);
        var request = new JoinRequest { NetworkId = network.NetworkId, EndpointId = endpointId, SandboxKey = string.Empty, InterfaceName = string.Empty, MacAddress = string.Empty };

        await lab.Driver.JoinAsync(request, CancellationToken.None);
        await lab.Driver.JoinAsync(request, CancellationToken.None);
        Assert.Single(lab.Host.IpJson("link", "show", "type", "macvlan").EnumerateArray());

        await lab.Driver.LeaveAsync(network.NetworkId, endpointId, CancellationToken.None);

        Assert.Empty(lab.Host.IpJson("link", "show", "type", "macvlan").EnumerateArray());
    }
}
