using System.Net;
using Netstack.Core;
using Netstack.Core.Drivers;
using Netstack.Linux;
using Netstack.TestKit;

namespace Netstack.Privileged.Tests.Labs;

/// <summary>
/// A network driver on throwaway namespaces: a "host" namespace where the driver puts its links and
/// rules, what the lab wires to it (an uplink, a segment), and a namespace per sandbox. The lab does
/// the controller's part of a join itself. Disposing deletes the networks it made, then every
/// namespace, newest first, failure included.
/// </summary>
internal abstract class DriverLab<TDriver> : IAsyncDisposable
    where TDriver : INetworkDriver, IDisposable
{
    // Disposed in reverse: sandboxes first, then what is wired to the host, the host last.
    private readonly List<IDisposable> _owned = [];
    private readonly List<string> _networks = [];

    protected DriverLab(TestNamespace host, IDisposable attached, TDriver driver)
    {
        Host = host;
        Driver = driver;
        _owned.Add(host);
        _owned.Add(attached);
    }

    public TestNamespace Host { get; }

    public TDriver Driver { get; }

    /// <summary>Creates <paramref name="network"/> with the driver; the lab deletes it on Dispose (a half-made one included).</summary>
    public async Task<DriverNetwork> CreateNetworkAsync(DriverNetwork network)
    {
        _networks.Add(network.NetworkId);
        await Driver.CreateNetworkAsync(network, CancellationToken.None);
        return network;
    }

    public async Task DeleteNetworkAsync(DriverNetwork network)
    {
        await Driver.DeleteNetworkAsync(network.NetworkId, CancellationToken.None);
        _networks.Remove(network.NetworkId);
    }

    /// <summary>
    /// Creates an endpoint with <paramref name="address"/>, joins it to a new sandbox namespace (or
    /// <paramref name="into"/>) and does the controller's part: addresses, link up, default routes
    /// through the gateways the driver returned.
    /// </summary>
    public async Task<LabSandbox> ConnectAsync(DriverNetwork network, string address, TestNamespace? into = null, string interfaceName = "eth0", string? addressV6 = null)
    {
        var ns = into ?? NewNamespace();
        var prefix = network.IPv4[0].Subnet.PrefixLength;
        var cidr = new CidrAddress(IPAddress.Parse(address), prefix);
        CidrAddress? cidrV6 = addressV6 is null ? null : new CidrAddress(IPAddress.Parse(addressV6), network.IPv6[0].Subnet.PrefixLength);
        var endpointId = ObjectId.New();
        var created = await Driver.CreateEndpointAsync(new DriverEndpoint { NetworkId = network.NetworkId, EndpointId = endpointId, IPv4Address = cidr, IPv6Address = cidrV6 }, CancellationToken.None);
        var join = await Driver.JoinAsync(new JoinRequest
        {
            NetworkId = network.NetworkId,
            EndpointId = endpointId,
            SandboxKey = ns.Namespace.Path,
            InterfaceName = interfaceName,
            MacAddress = created.MacAddress,
            IPv4Address = cidr,
            IPv6Address = cidrV6,
        }, CancellationToken.None);
        ns.Netlink.LinkSetUp("lo");
        ns.Netlink.AddrAdd(interfaceName, new InterfaceAddress(cidr.Address, prefix));
        if (cidrV6 is { } v6)
        {
            // As the controller does: DAD off, so the address is usable at once.
            ns.Netlink.AddrAdd(interfaceName, new InterfaceAddress(v6.Address, v6.PrefixLength), noDad: true);
        }
        ns.Netlink.LinkSetUp(interfaceName);
        if (join.Gateway is { } gateway)
        {
            ns.Netlink.RouteAdd(RouteSpec.DefaultVia(gateway, interfaceName));
        }
        if (cidrV6 is not null && join.GatewayIPv6 is { } gatewayV6)
        {
            ns.Netlink.RouteAdd(RouteSpec.DefaultVia(gatewayV6, interfaceName));
        }
        return new LabSandbox(ns, network.NetworkId, endpointId, cidr.Address, created.MacAddress, join) { AddressV6 = cidrV6?.Address };
    }

    public async Task DisconnectAsync(DriverNetwork network, LabSandbox sandbox)
    {
        await Driver.LeaveAsync(network.NetworkId, sandbox.EndpointId, CancellationToken.None);
        await Driver.DeleteEndpointAsync(network.NetworkId, sandbox.EndpointId, CancellationToken.None);
    }

    /// <summary>A new namespace that the lab removes on Dispose.</summary>
    public TestNamespace NewNamespace()
    {
        var ns = TestNamespace.Create();
        _owned.Add(ns);
        return ns;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var id in _networks)
        {
            try
            {
                await Driver.DeleteNetworkAsync(id, CancellationToken.None);
            }
            catch (NetstackException)
            {
                // The namespaces go below, and everything in them with them.
            }
        }
        Driver.Dispose();
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            _owned[i].Dispose();
        }
        GC.SuppressFinalize(this);
    }

    /// <summary>The IPAM data the controller hands over: <paramref name="subnet"/> with <paramref name="gateway"/>, by default the subnet's first address.</summary>
    protected static DriverIpamData Ipam(string subnet, string? gateway = null)
    {
        var net = IPNetwork.Parse(subnet);
        var address = gateway is null
            ? IPNetworkMath.FromNumber(IPNetworkMath.ToNumber(net.BaseAddress) + 1, net.BaseAddress.AddressFamily)
            : IPAddress.Parse(gateway);
        return new DriverIpamData { Subnet = net, Gateway = new CidrAddress(address, net.PrefixLength) };
    }
}
