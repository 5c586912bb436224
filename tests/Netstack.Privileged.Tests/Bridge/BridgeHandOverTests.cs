using System.Net;
using Netstack.Core;
using Netstack.Core.Drivers;
using Netstack.TestKit;
using Xunit;

namespace Netstack.Privileged.Tests.Bridge;

/// <summary>
/// The bridge driver's hand-over join (an empty sandbox key, as the Docker plugin asks): the
/// container end stays in the host namespace under a name from the endpoint id, for the caller
/// (dockerd) to move into its sandbox itself.
/// </summary>
public sealed class BridgeHandOverTests
{
    [PrivilegedFact]
    public async Task HandOverJoin_ContainerEndWaitsInHostNamespace_MovedItWorks_LeaveDeletesBothEnds()
    {
        await using var lab = BridgeLab.Create();
        var network = await lab.CreateNetworkAsync("10.34.0.0/24");
        var endpointId = ObjectId.New();
        var mac = (await lab.Driver.CreateEndpointAsync(new DriverEndpoint
        {
            NetworkId = network.NetworkId,
            EndpointId = endpointId,
            IPv4Address = CidrAddress.Parse("10.34.0.5/24"),
        }, CancellationToken.None)).MacAddress;

        var join = await lab.Driver.JoinAsync(new JoinRequest
        {
            NetworkId = network.NetworkId,
            EndpointId = endpointId,
            SandboxKey = string.Empty,
            InterfaceName = string.Empty,
            MacAddress = mac,
            IPv4Address = CidrAddress.Parse("10.34.0.5/24"),
        }, CancellationToken.None);

        var handOver = "nsc" + endpointId[..12];
        Assert.Equal(handOver, join.InterfaceName);
        Assert.Equal(IPAddress.Parse("10.34.0.1"), join.Gateway);
        var waiting = lab.Host.IpJson("-d", "link", "show", "dev", handOver)[0];
        Assert.Equal("veth", waiting.GetProperty("linkinfo").GetProperty("info_kind").GetString());
        Assert.DoesNotContain("UP", waiting.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal("02:42:0a:22:00:05", waiting.GetProperty("address").GetString());
        var hostEnd = lab.Host.IpJson("-d", "link", "show", "dev", "nsv" + endpointId[..12])[0];
        Assert.Equal("br-" + network.NetworkId[..12], hostEnd.GetProperty("master").GetString());

        // What dockerd does with it: into the sandbox, renamed, addressed, up.
        var sandbox = lab.NewNamespace();
        lab.Host.Ip("link", "set", "dev", handOver, "netns", sandbox.Name);
        sandbox.Ip("link", "set", "dev", handOver, "name", "eth0");
        sandbox.Ip("addr", "add", "10.34.0.5/24", "dev", "eth0");
        sandbox.Ip("link", "set", "dev", "eth0", "up");
        sandbox.Ip("link", "set", "dev", "lo", "up");
        Assert.True(NamespacePing.Any(sandbox, IPAddress.Parse("10.34.0.1")), "the moved interface reaches the gateway on the bridge");

        await lab.Driver.LeaveAsync(network.NetworkId, endpointId, CancellationToken.None);

        Assert.Empty(sandbox.IpJson("link", "show", "type", "veth").EnumerateArray());
        Assert.Empty(EndpointVeths(lab));
    }

    [PrivilegedFact]
    public async Task HandOverJoin_LeftWaitingInHostNamespace_LeaveRemovesIt()
    {
        await using var lab = BridgeLab.Create();
        var network = await lab.CreateNetworkAsync("10.35.0.0/24");
        var endpointId = ObjectId.New();
        await lab.Driver.CreateEndpointAsync(new DriverEndpoint { NetworkId = network.NetworkId, EndpointId = endpointId, IPv4Address = CidrAddress.Parse("10.35.0.2/24") }, CancellationToken.None);
        var request = new JoinRequest { NetworkId = network.NetworkId, EndpointId = endpointId, SandboxKey = string.Empty, InterfaceName = string.Empty, MacAddress = string.Empty };

        // A repeated join (dockerd retrying after a lost answer) replaces the pair, never fails on its own leftovers.
        await lab.Driver.JoinAsync(request, CancellationToken.None);
        await lab.Driver.JoinAsync(request, CancellationToken.None);
        Assert.Equal(["nsc" + endpointId[..12], "nsv" + endpointId[..12]], EndpointVeths(lab));

        await lab.Driver.LeaveAsync(network.NetworkId, endpointId, CancellationToken.None);

        Assert.Empty(EndpointVeths(lab));
    }

    [PrivilegedFact]
    public async Task Reconcile_KeepsAHandedOverEndpointItIsGiven_AndRemovesOneItIsNot()
    {
        await using var lab = BridgeLab.Create();
        var network = await lab.CreateNetworkAsync("10.36.0.0/24");
        var kept = ObjectId.New();
        var orphan = ObjectId.New();
        foreach (var id in new[] { kept, orphan })
        {
            await lab.Driver.CreateEndpointAsync(new DriverEndpoint { NetworkId = network.NetworkId, EndpointId = id }, CancellationToken.None);
            await lab.Driver.JoinAsync(new JoinRequest { NetworkId = network.NetworkId, EndpointId = id, SandboxKey = string.Empty, InterfaceName = string.Empty, MacAddress = string.Empty }, CancellationToken.None);
        }

        var report = await lab.Driver.ReconcileAsync(new DriverReconcileRequest
        {
            Networks = [network],
            Endpoints = [new DriverEndpointState
            {
                Endpoint = new DriverEndpoint { NetworkId = network.NetworkId, EndpointId = kept },
                Join = new JoinRequest { NetworkId = network.NetworkId, EndpointId = kept, SandboxKey = string.Empty, InterfaceName = string.Empty, MacAddress = string.Empty },
            }],
        }, CancellationToken.None);

        Assert.Empty(report.Errors);
        var veths = EndpointVeths(lab);
        Assert.Contains("nsv" + kept[..12], veths);
        Assert.DoesNotContain("nsv" + orphan[..12], veths);
    }

    /// <summary>The driver's veth ends in the host namespace (host ends nsv*, waiting container ends nsc*), sorted.</summary>
    private static string[] EndpointVeths(BridgeLab lab) =>
        [.. lab.Host.IpJson("link", "show", "type", "veth").EnumerateArray()
            .Select(l => l.GetProperty("ifname").GetString()!)
            .Where(n => n.StartsWith("nsv", StringComparison.Ordinal) || n.StartsWith("nsc", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)];
}
