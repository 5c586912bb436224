using System.Net;
using Netstack.Core;
using Netstack.Core.Drivers;
using Netstack.Drivers.Macvlan;
using Netstack.Linux;
using Netstack.TestKit;

namespace Netstack.Privileged.Tests.Macvlan;

/// <summary>A sandbox joined to a macvlan network: its namespace, the endpoint, address, MAC and join answer.</summary>
internal sealed record MacvlanSandbox(TestNamespace Ns, string EndpointId, IPAddress Address, string MacAddress, JoinResult Join);

/// <summary>
/// The macvlan driver on a <see cref="Segment"/>: a host namespace with the uplink, the driver
/// pointed at it, and sandboxes as namespaces. Disposing deletes the networks it made and every
/// namespace.
/// </summary>
internal sealed class MacvlanLab : IAsyncDisposable
{
    private readonly List<TestNamespace> _sandboxes = [];
    private readonly List<string> _networks = [];

    private MacvlanLab(TestNamespace host, Segment segment)
    {
        Host = host;
        Segment = segment;
        Driver = new MacvlanDriver(new MacvlanDriverOptions { HostNamespacePath = host.Namespace.Path });
    }

    public TestNamespace Host { get; }

    public Segment Segment { get; }

    public MacvlanDriver Driver { get; }

    public static MacvlanLab Create()
    {
        var host = TestNamespace.Create();
        try
        {
            return new MacvlanLab(host, Segment.Attach(host));
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    /// <summary>A network as the controller would hand it over: the subnet with the machine as gateway.</summary>
    public static DriverNetwork Network(string subnet, IReadOnlyDictionary<string, string> options, string? gateway = null)
    {
        var net = IPNetwork.Parse(subnet);
        var gw = gateway is null
            ? IPNetworkMath.FromNumber(IPNetworkMath.ToNumber(net.BaseAddress) + 1, net.BaseAddress.AddressFamily)
            : IPAddress.Parse(gateway);
        return new DriverNetwork
        {
            NetworkId = ObjectId.New(),
            Name = "mv",
            Options = options,
            IPv4 = [new DriverIpamData { Subnet = net, Gateway = new CidrAddress(gw, net.PrefixLength) }],
        };
    }

    public static Dictionary<string, string> Options(string? parent, string? mode = null)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        if (parent is not null)
        {
            options["parent"] = parent;
        }
        if (mode is not null)
        {
            options["macvlan_mode"] = mode;
        }
        return options;
    }

    public async Task<DriverNetwork> CreateNetworkAsync(string subnet, IReadOnlyDictionary<string, string> options)
    {
        var network = Network(subnet, options);
        await Driver.CreateNetworkAsync(network, CancellationToken.None);
        _networks.Add(network.NetworkId);
        return network;
    }

    public async Task DeleteNetworkAsync(DriverNetwork network)
    {
        await Driver.DeleteNetworkAsync(network.NetworkId, CancellationToken.None);
        _networks.Remove(network.NetworkId);
    }

    /// <summary>
    /// Creates an endpoint with <paramref name="address"/>, joins it to a new sandbox namespace and
    /// does the controller's part: address, link up, default route through the returned gateway.
    /// </summary>
    public async Task<MacvlanSandbox> ConnectAsync(DriverNetwork network, string address, string interfaceName = "eth0")
    {
        var ns = TestNamespace.Create();
        _sandboxes.Add(ns);
        var prefix = network.IPv4[0].Subnet.PrefixLength;
        var cidr = new CidrAddress(IPAddress.Parse(address), prefix);
        var endpointId = ObjectId.New();
        var created = await Driver.CreateEndpointAsync(new DriverEndpoint { NetworkId = network.NetworkId, EndpointId = endpointId, IPv4Address = cidr }, CancellationToken.None);
        var join = await Driver.JoinAsync(new JoinRequest
        {
            NetworkId = network.NetworkId,
            EndpointId = endpointId,
            SandboxKey = ns.Namespace.Path,
            InterfaceName = interfaceName,
            MacAddress = created.MacAddress,
            IPv4Address = cidr,
        }, CancellationToken.None);
        ns.Netlink.LinkSetUp("lo");
        ns.Netlink.AddrAdd(interfaceName, new InterfaceAddress(cidr.Address, prefix));
        ns.Netlink.LinkSetUp(interfaceName);
        if (join.Gateway is { } gateway)
        {
            ns.Netlink.RouteAdd(RouteSpec.DefaultVia(gateway, interfaceName));
        }
        return new MacvlanSandbox(ns, endpointId, cidr.Address, created.MacAddress, join);
    }

    public async Task DisconnectAsync(DriverNetwork network, MacvlanSandbox sandbox)
    {
        await Driver.LeaveAsync(network.NetworkId, sandbox.EndpointId, CancellationToken.None);
        await Driver.DeleteEndpointAsync(network.NetworkId, sandbox.EndpointId, CancellationToken.None);
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
        foreach (var ns in _sandboxes)
        {
            ns.Dispose();
        }
        Segment.Dispose();
        Host.Dispose();
    }
}
