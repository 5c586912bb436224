using System.Net;
using Netstack.Core;
using Netstack.Core.Drivers;
using Netstack.TestKit;
using Xunit;

namespace Netstack.Privileged.Tests.Bridge;

public sealed class BridgePortTests
{
    private static Task<IReadOnlyList<PortBinding>> Publish(BridgeLab lab, LabSandbox sandbox, params PortBinding[] bindings) =>
        lab.Driver.ProgramExternalConnectivityAsync(new ExternalConnectivityRequest
        {
            NetworkId = sandbox.NetworkId,
            EndpointId = sandbox.EndpointId,
            PortBindings = bindings,
        }, CancellationToken.None);

    private static IEnumerable<string> NetstackRules(BridgeLab lab) =>
        lab.HostRules().Split('\n').Where(l => l.StartsWith("-A ", StringComparison.Ordinal) && l.Contains("netstack:", StringComparison.Ordinal));

    [PrivilegedFact]
    public async Task PublishedTcpAndUdp_AnswerFromOutsideHostAddressLocalhostAndHairpin()
    {
        await using var lab = BridgeLab.Create();
        var network = await lab.CreateNetworkAsync("10.50.0.0/24");
        var a = await lab.ConnectAsync(network, "10.50.0.2");
        var b = await lab.ConnectAsync(network, "10.50.0.3");
        using var tcp = NamespaceSockets.TcpServer(a.Ns.Namespace, 80, "a");
        using var udp = NamespaceSockets.UdpServer(a.Ns.Namespace, 5353, "a");

        var programmed = await Publish(lab, a,
            new PortBinding { ContainerPort = 80, HostPort = 8080, Protocol = PortProtocol.Tcp },
            new PortBinding { ContainerPort = 5353, HostPort = 8053, Protocol = PortProtocol.Udp });
        Assert.Equal([8080, 8053], programmed.Select(p => p.HostPort));

        var host = BridgeLab.HostUplinkAddress;
        // From outside: DNAT only, the container sees the real client.
        Assert.Equal("hello from a to 198.51.100.2", await NamespaceSockets.TcpAsk(lab.Internet.Namespace, host, 8080));
        Assert.Equal("hello from a to 198.51.100.2", await NamespaceSockets.UdpAsk(lab.Internet.Namespace, host, 8053));
        // From the host itself, by its address and by 127.0.0.1 (route_localnet + masquerade to the gateway).
        Assert.Equal("hello from a to 10.50.0.1", await NamespaceSockets.TcpAsk(lab.Host.Namespace, host, 8080));
        Assert.Equal("hello from a to 10.50.0.1", await NamespaceSockets.TcpAsk(lab.Host.Namespace, IPAddress.Loopback, 8080));
        Assert.Equal("hello from a to 10.50.0.1", await NamespaceSockets.UdpAsk(lab.Host.Namespace, IPAddress.Loopback, 8053));
        Assert.Equal("hello from a to 10.50.0.1", await NamespaceSockets.UdpAsk(lab.Host.Namespace, host, 8053));
        // Hairpin: another container, and the container itself, through the host address.
        Assert.Equal("hello from a to 10.50.0.3", await NamespaceSockets.TcpAsk(b.Ns.Namespace, host, 8080));
        Assert.Equal("hello from a to 10.50.0.3", await NamespaceSockets.UdpAsk(b.Ns.Namespace, host, 8053));
        Assert.Equal("hello from a to 10.50.0.1", await NamespaceSockets.TcpAsk(a.Ns.Namespace, host, 8080));
        Assert.Equal("hello from a to 10.50.0.1", await NamespaceSockets.UdpAsk(a.Ns.Namespace, host, 8053));
        // An unpublished port of the container stays closed from outside.
        using var other = NamespaceSockets.TcpServer(a.Ns.Namespace, 81, "a");
        Assert.Null(await NamespaceSockets.TcpAsk(lab.Internet.Namespace, a.Address, 81, attempts: 1));

        await lab.Driver.RevokeExternalConnectivityAsync(network.NetworkId, a.EndpointId, CancellationToken.None);
        Assert.Null(await NamespaceSockets.TcpAsk(lab.Internet.Namespace, host, 8080, attempts: 1));
        Assert.DoesNotContain(a.EndpointId, lab.HostRules());
    }

    [PrivilegedFact]
    public async Task HostIp_PortAnswersOnlyOnThatAddress()
    {
        await using var lab = BridgeLab.Create();
        var network = await lab.CreateNetworkAsync("10.51.0.0/24");
        var a = await lab.ConnectAsync(network, "10.51.0.2");
        using var tcp = NamespaceSockets.TcpServer(a.Ns.Namespace, 80, "a");

        await Publish(lab, a, new PortBinding { ContainerPort = 80, HostPort = 8081, HostIp = IPAddress.Loopback });

        Assert.Equal("hello from a to 10.51.0.1", await NamespaceSockets.TcpAsk(lab.Host.Namespace, IPAddress.Loopback, 8081));
        Assert.Null(await NamespaceSockets.TcpAsk(lab.Internet.Namespace, BridgeLab.HostUplinkAddress, 8081, attempts: 1));
    }

    [PrivilegedFact]
    public async Task HostPortZero_PicksAFreeEphemeralPortThatAnswers()
    {
        await using var lab = BridgeLab.Create();
        var network = await lab.CreateNetworkAsync("10.52.0.0/24");
        var a = await lab.ConnectAsync(network, "10.52.0.2");
        using var tcp = NamespaceSockets.TcpServer(a.Ns.Namespace, 80, "a");
        var range = lab.Host.Exec("cat", "/proc/sys/net/ipv4/ip_local_port_range").Split(['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray();
        // A program on the host already listens on the first port of the range: it must be skipped.
        using var squatter = NamespaceSockets.TcpServer(lab.Host.Namespace, range[0], "host");

        var programmed = await Publish(lab, a, new PortBinding { ContainerPort = 80, HostPort = 0 });

        var port = Assert.Single(programmed).HostPort;
        Assert.InRange(port, range[0] + 1, range[1]);
        Assert.Equal("hello from a to 198.51.100.2", await NamespaceSockets.TcpAsk(lab.Internet.Namespace, BridgeLab.HostUplinkAddress, port));
    }

    [PrivilegedFact]
    public async Task PortAlreadyPublished_ConflictNamingThePort_AndNothingChanged()
    {
        await using var lab = BridgeLab.Create();
        var network = await lab.CreateNetworkAsync("10.53.0.0/24");
        var a = await lab.ConnectAsync(network, "10.53.0.2");
        var b = await lab.ConnectAsync(network, "10.53.0.3");
        using var tcp = NamespaceSockets.TcpServer(a.Ns.Namespace, 80, "a");
        await Publish(lab, a, new PortBinding { ContainerPort = 80, HostPort = 8080 });
        var before = NetstackRules(lab).ToList();

        // Same protocol and port, overlapping host IP (127.0.0.1 is inside 0.0.0.0), even with a
        // free port beside it in the same request: all or nothing.
        var error = await Assert.ThrowsAsync<ConflictException>(() => Publish(lab, b,
            new PortBinding { ContainerPort = 90, HostPort = 9090 },
            new PortBinding { ContainerPort = 80, HostPort = 8080, HostIp = IPAddress.Loopback }));

        Assert.Contains("8080", error.Message);
        Assert.Equal(before, NetstackRules(lab).ToList());
        Assert.DoesNotContain(b.EndpointId, lab.HostRules());
        Assert.Equal("hello from a to 198.51.100.2", await NamespaceSockets.TcpAsk(lab.Internet.Namespace, BridgeLab.HostUplinkAddress, 8080));
        // Another protocol on the same number is a different port.
        var udp = await Publish(lab, b, new PortBinding { ContainerPort = 80, HostPort = 8080, Protocol = PortProtocol.Udp });
        Assert.Equal(8080, Assert.Single(udp).HostPort);
    }

    [PrivilegedFact]
    public async Task RulesFlushedBehindOurBack_RevokeAndPublishStillWork()
    {
        await using var lab = BridgeLab.Create();
        var network = await lab.CreateNetworkAsync("10.55.0.0/24");
        var a = await lab.ConnectAsync(network, "10.55.0.2");
        using var tcp = NamespaceSockets.TcpServer(a.Ns.Namespace, 80, "a");
        await Publish(lab, a, new PortBinding { ContainerPort = 80, HostPort = 8080 });
        Firewall.TestFirewall.FlushChain(lab.Host, "nat", "NETSTACK-DNAT");

        // The driver's view of the rules is stale now: the revoke's deletes fail, it reads the
        // rules again and retries.
        await lab.Driver.RevokeExternalConnectivityAsync(network.NetworkId, a.EndpointId, CancellationToken.None);
        Assert.DoesNotContain(a.EndpointId, lab.HostRules());

        await Publish(lab, a, new PortBinding { ContainerPort = 80, HostPort = 8080 });
        Assert.Equal("hello from a to 198.51.100.2", await NamespaceSockets.TcpAsk(lab.Internet.Namespace, BridgeLab.HostUplinkAddress, 8080));
    }

    [PrivilegedFact]
    public async Task BadBinding_InvalidParameterAndNothingProgrammed()
    {
        await using var lab = BridgeLab.Create();
        var network = await lab.CreateNetworkAsync("10.54.0.0/24");
        var a = await lab.ConnectAsync(network, "10.54.0.2");

        var error = await Assert.ThrowsAsync<InvalidParameterException>(() => Publish(lab, a, new PortBinding { ContainerPort = 70000, HostPort = 8080 }));

        Assert.Equal("container port", error.Field);
        Assert.Equal("70000", error.Value);
        Assert.DoesNotContain(a.EndpointId, lab.HostRules());
    }
}
