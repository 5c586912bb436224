using System.Net;
using Netstack.Core;
using Netstack.Drivers.Bridge;
using Netstack.TestKit;
using Xunit;

namespace Netstack.Privileged.Tests.Bridge;

public sealed class BridgeNetworkTests
{
    [PrivilegedFact]
    public async Task CreateNetwork_Defaults_BridgeUpWithGatewayInGroupAndForwardingOn()
    {
        await using var lab = BridgeLab.Create();
        var network = await lab.CreateNetworkAsync("10.31.0.0/24");
        var name = "br-" + network.NetworkId[..12];

        var link = lab.Host.IpJson("-d", "link", "show", "dev", name)[0];
        Assert.Equal("bridge", link.GetProperty("linkinfo").GetProperty("info_kind").GetString());
        Assert.Contains("UP", link.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal(1500, link.GetProperty("mtu").GetInt32());
        Assert.Equal(LinkGroups.ForNetwork(network.NetworkId), lab.Host.Netlink.LinkGet(name).Group);
        var addresses = lab.Host.IpJson("addr", "show", "dev", name)[0].GetProperty("addr_info").EnumerateArray()
            .Where(a => a.GetProperty("family").GetString() == "inet")
            .Select(a => $"{a.GetProperty("local").GetString()}/{a.GetProperty("prefixlen").GetInt32()}");
        Assert.Equal(["10.31.0.1/24"], addresses);
        Assert.Equal("1", lab.Host.Exec("cat", "/proc/sys/net/ipv4/ip_forward").Trim());
        Assert.Equal("1", lab.Host.Exec("cat", $"/proc/sys/net/ipv4/conf/{name}/route_localnet").Trim());

        var rules = lab.HostRules();
        if (Firewall.TestFirewall.IsNftables)
        {
            // The same three rules as nft lists them in table ip netstack (chain: rule).
            var lines = Firewall.TestFirewall.NetstackLines(lab.Host);
            var owner = $"comment \"netstack:bridge-net:{network.NetworkId}\"";
            Assert.True(lines.Any(l => l.StartsWith("nat-NETSTACK-POSTROUTING: ", StringComparison.Ordinal) && l.Contains("ip saddr 10.31.0.0/24", StringComparison.Ordinal)
                && l.Contains($"oifname != \"{name}\"", StringComparison.Ordinal) && l.Contains("masquerade", StringComparison.Ordinal) && l.Contains(owner, StringComparison.Ordinal)), rules);
            Assert.True(lines.Any(l => l.StartsWith("filter-NETSTACK-ISOLATION-2: ", StringComparison.Ordinal) && l.Contains($"oifname \"{name}\"", StringComparison.Ordinal)
                && l.Contains("drop", StringComparison.Ordinal) && l.Contains(owner, StringComparison.Ordinal)), rules);
            Assert.True(lines.Any(l => l.StartsWith("filter-FORWARD: ", StringComparison.Ordinal) && l.Contains("jump filter-NETSTACK-FORWARD", StringComparison.Ordinal)
                && l.Contains("comment \"netstack:bridge\"", StringComparison.Ordinal)), rules);
            return;
        }
        Assert.Contains($"-A NETSTACK-POSTROUTING -s 10.31.0.0/24 ! -o {name} -m comment --comment \"netstack:bridge-net:{network.NetworkId}\" -j MASQUERADE", rules);
        Assert.Contains($"-A NETSTACK-ISOLATION-2 -o {name} -m comment --comment \"netstack:bridge-net:{network.NetworkId}\" -j DROP", rules);
        Assert.Contains("-A FORWARD -m comment --comment \"netstack:bridge\" -j NETSTACK-FORWARD", rules);
    }

    [PrivilegedFact]
    public async Task BridgeMac_IsFixedAtCreation_AndDoesNotFollowPortsJoiningOrLeaving()
    {
        await using var lab = BridgeLab.Create();
        var network = await lab.CreateNetworkAsync("10.38.0.0/24");
        var name = "br-" + network.NetworkId[..12];
        string MacOf() => lab.Host.IpJson("link", "show", "dev", name)[0].GetProperty("address").GetString()!;
        var expected = MacAddresses.Format(BridgeMacAddress.For(network.NetworkId).GetAddressBytes());

        Assert.Equal(expected, MacOf());
        // Without a fixed MAC the kernel gives the bridge the lowest MAC of its ports: 02:42:0a:26:00:02
        // here while a is attached, and another one once a leaves.
        var a = await lab.ConnectAsync(network, "10.38.0.2");
        var b = await lab.ConnectAsync(network, "10.38.0.3");
        Assert.Equal(expected, MacOf());
        await lab.Driver.LeaveAsync(network.NetworkId, a.EndpointId, CancellationToken.None);
        Assert.Equal(expected, MacOf());
        Assert.True(NamespacePing.Any(b.Ns, IPAddress.Parse("10.38.0.1")), "b lost its gateway after a left");
    }

    [PrivilegedFact]
    public async Task CreateNetwork_CustomNameAndMtu_BridgeAndContainerEndUseThem()
    {
        await using var lab = BridgeLab.Create();
        var network = await lab.CreateNetworkAsync("10.32.0.0/24", new Dictionary<string, string>
        {
            [DockerOptions.BridgeName] = "nstest0",
            [DockerOptions.DriverMtu] = "1400",
        });
        var sandbox = await lab.ConnectAsync(network, "10.32.0.2");

        Assert.Equal(1400, lab.Host.IpJson("link", "show", "dev", "nstest0")[0].GetProperty("mtu").GetInt32());
        var eth0 = sandbox.Ns.IpJson("link", "show", "dev", "eth0")[0];
        Assert.Equal(1400, eth0.GetProperty("mtu").GetInt32());
        Assert.Equal("02:42:0a:20:00:02", eth0.GetProperty("address").GetString());
    }

    [PrivilegedFact]
    public async Task Join_ContainerEndCreatedInSandboxDownWithRequestedNameAndHostEndOnBridge()
    {
        await using var lab = BridgeLab.Create();
        var network = await lab.CreateNetworkAsync("10.33.0.0/24");
        var ns = lab.NewNamespace();
        var endpointId = ObjectId.New();
        var mac = (await lab.Driver.CreateEndpointAsync(new Core.Drivers.DriverEndpoint
        {
            NetworkId = network.NetworkId,
            EndpointId = endpointId,
            IPv4Address = CidrAddress.Parse("10.33.0.7/24"),
        }, CancellationToken.None)).MacAddress;

        var join = await lab.Driver.JoinAsync(new Core.Drivers.JoinRequest
        {
            NetworkId = network.NetworkId,
            EndpointId = endpointId,
            SandboxKey = ns.Namespace.Path,
            InterfaceName = "eth1",
            MacAddress = mac,
        }, CancellationToken.None);

        Assert.Equal("eth1", join.InterfaceName);
        Assert.Equal(IPAddress.Parse("10.33.0.1"), join.Gateway);
        var eth1 = ns.IpJson("-d", "link", "show", "dev", "eth1")[0];
        Assert.Equal("veth", eth1.GetProperty("linkinfo").GetProperty("info_kind").GetString());
        Assert.DoesNotContain("UP", eth1.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal("02:42:0a:21:00:07", eth1.GetProperty("address").GetString());
        var hostEnd = "nsv" + endpointId[..12];
        var port = lab.Host.IpJson("-d", "link", "show", "dev", hostEnd)[0];
        Assert.Equal("br-" + network.NetworkId[..12], port.GetProperty("master").GetString());
        Assert.True(port.GetProperty("linkinfo").GetProperty("info_slave_data").GetProperty("hairpin").GetBoolean());

        await lab.Driver.LeaveAsync(network.NetworkId, endpointId, CancellationToken.None);
        Assert.Empty(ns.IpJson("link", "show", "type", "veth").EnumerateArray());
        Assert.DoesNotContain(lab.Host.IpJson("link", "show", "type", "veth").EnumerateArray(), l => l.GetProperty("ifname").GetString() == hostEnd);
    }

    [PrivilegedFact]
    public async Task CreateNetwork_IPv6_GatewayOnBridgeAndReturnedAtJoin()
    {
        await using var lab = BridgeLab.Create();
        var network = BridgeLab.Network("10.37.0.0/24") with
        {
            EnableIPv6 = true,
            IPv6 = [new Core.Drivers.DriverIpamData { Subnet = IPNetwork.Parse("fd00:37::/64"), Gateway = CidrAddress.Parse("fd00:37::1/64") }],
        };
        await lab.Driver.CreateNetworkAsync(network, CancellationToken.None);
        try
        {
            var sandbox = await lab.ConnectAsync(network, "10.37.0.2");

            var addresses = lab.Host.IpJson("addr", "show", "dev", "br-" + network.NetworkId[..12])[0].GetProperty("addr_info").EnumerateArray()
                .Select(a => $"{a.GetProperty("local").GetString()}/{a.GetProperty("prefixlen").GetInt32()}").ToList();
            Assert.Contains("fd00:37::1/64", addresses);
            Assert.Equal(IPAddress.Parse("fd00:37::1"), sandbox.Join.GatewayIPv6);
            Assert.Equal("1", lab.Host.Exec("cat", "/proc/sys/net/ipv6/conf/all/forwarding").Trim());
        }
        finally
        {
            await lab.Driver.DeleteNetworkAsync(network.NetworkId, CancellationToken.None);
        }
    }

    [PrivilegedFact]
    public async Task Join_FiftyConcurrently_EveryInterfaceMadeAndOnTheBridge()
    {
        await using var lab = BridgeLab.Create();
        var network = await lab.CreateNetworkAsync("10.38.0.0/24");
        var ns = lab.NewNamespace();

        await Task.WhenAll(Enumerable.Range(0, 50).Select(i => Task.Run(async () =>
        {
            var endpointId = ObjectId.New();
            var address = CidrAddress.Parse($"10.38.0.{i + 2}/24");
            var mac = (await lab.Driver.CreateEndpointAsync(new Core.Drivers.DriverEndpoint { NetworkId = network.NetworkId, EndpointId = endpointId, IPv4Address = address }, CancellationToken.None)).MacAddress;
            await lab.Driver.JoinAsync(new Core.Drivers.JoinRequest
            {
                NetworkId = network.NetworkId,
                EndpointId = endpointId,
                SandboxKey = ns.Namespace.Path,
                InterfaceName = $"eth{i}",
                MacAddress = mac,
                IPv4Address = address,
            }, CancellationToken.None);
        })));

        Assert.Equal(50, lab.Host.IpJson("link", "show", "master", "br-" + network.NetworkId[..12]).GetArrayLength());
        var names = ns.IpJson("link", "show", "type", "veth").EnumerateArray().Select(l => l.GetProperty("ifname").GetString()!).ToHashSet();
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"eth{i}").ToHashSet(), names);

        await lab.Driver.DeleteNetworkAsync(network.NetworkId, CancellationToken.None);
        Assert.Empty(ns.IpJson("link", "show", "type", "veth").EnumerateArray());
    }

    [PrivilegedFact]
    public async Task DeleteNetwork_WithEndpointsAndPorts_RemovesBridgeVethsAndEveryRule()
    {
        await using var lab = BridgeLab.Create();
        var network = await lab.CreateNetworkAsync("10.34.0.0/24");
        var a = await lab.ConnectAsync(network, "10.34.0.2");
        await lab.ConnectAsync(network, "10.34.0.3");
        await lab.Driver.ProgramExternalConnectivityAsync(new Core.Drivers.ExternalConnectivityRequest
        {
            NetworkId = network.NetworkId,
            EndpointId = a.EndpointId,
            PortBindings = [new PortBinding { ContainerPort = 80, HostPort = 8080 }],
        }, CancellationToken.None);
        Assert.Contains(a.EndpointId, lab.HostRules());

        await lab.Driver.DeleteNetworkAsync(network.NetworkId, CancellationToken.None);

        var links = lab.Host.IpJson("link", "show").EnumerateArray().Select(l => l.GetProperty("ifname").GetString()).ToList();
        Assert.Equal(["lo", "uplink"], links.Order(StringComparer.Ordinal));
        var rules = lab.HostRules();
        Assert.DoesNotContain(network.NetworkId, rules);
        Assert.DoesNotContain(a.EndpointId, rules);
        Assert.DoesNotContain("br-" + network.NetworkId[..12], rules);
        // The sandbox lost its interface with the veth pair.
        Assert.Empty(a.Ns.IpJson("link", "show", "type", "veth").EnumerateArray());

        // A second delete of the same network is not an error.
        await lab.Driver.DeleteNetworkAsync(network.NetworkId, CancellationToken.None);
    }

    [PrivilegedTheory]
    [InlineData(DockerOptions.BridgeEnableIcc, "maybe")]
    [InlineData(DockerOptions.BridgeEnableIPMasquerade, "yes")]
    [InlineData(DockerOptions.DriverMtu, "abc")]
    [InlineData(DockerOptions.DriverMtu, "67")]
    [InlineData(DockerOptions.DriverMtu, "65536")]
    [InlineData(DockerOptions.BridgeName, "br-0123456789abc")]
    [InlineData(DockerOptions.BridgeName, "bad/name")]
    [InlineData(DockerOptions.BridgeHostBindingIPv4, "256.1.1.1")]
    public async Task CreateNetwork_BadOption_InvalidParameterNamingItAndNothingCreated(string option, string value)
    {
        await using var lab = BridgeLab.Create();
        var network = BridgeLab.Network("10.35.0.0/24", new Dictionary<string, string> { [option] = value });

        var error = await Assert.ThrowsAsync<InvalidParameterException>(() => lab.Driver.CreateNetworkAsync(network, CancellationToken.None));

        Assert.Equal(option, error.Field);
        Assert.Equal(value, error.Value);
        Assert.Contains(option, error.Message);
        Assert.Contains(value, error.Message);
        var links = lab.Host.IpJson("link", "show").EnumerateArray().Select(l => l.GetProperty("ifname").GetString());
        Assert.Equal(["lo", "uplink"], links.Order(StringComparer.Ordinal));
        Assert.DoesNotContain("NETSTACK", lab.HostRules());
    }

    [PrivilegedFact]
    public async Task CreateNetwork_BridgeNameTakenByForeignInterface_ConflictAndNothingCreated()
    {
        await using var lab = BridgeLab.Create();
        lab.Host.Ip("link", "add", "taken0", "type", "bridge");
        var network = BridgeLab.Network("10.36.0.0/24", new Dictionary<string, string> { [DockerOptions.BridgeName] = "taken0" });

        var error = await Assert.ThrowsAsync<ConflictException>(() => lab.Driver.CreateNetworkAsync(network, CancellationToken.None));

        Assert.Contains("taken0", error.Message);
        Assert.Equal("bridge", lab.Host.IpJson("-d", "link", "show", "dev", "taken0")[0].GetProperty("linkinfo").GetProperty("info_kind").GetString());
        Assert.DoesNotContain("NETSTACK", lab.HostRules());
    }
}
