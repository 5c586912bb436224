using System.Net.NetworkInformation;
using Netstack.Core;
using Netstack.Core.Drivers;
using Netstack.Linux;

namespace Netstack.Privileged.Tests.Controller;

/// <summary>
/// A minimal real driver for the controller's privileged tests (the bridge driver is tested on its
/// own): a Linux bridge <c>br-&lt;id[:12]&gt;</c> with the gateway address in a test namespace playing
/// the host, and per endpoint a veth whose peer is created directly in the sandbox under the
/// requested name. Idempotent deletes, as the driver API asks.
/// </summary>
internal sealed class VethTestDriver(NetlinkHandle host) : INetworkDriver
{
    private readonly Dictionary<string, DriverNetwork> _networks = new(StringComparer.Ordinal);

    public string Type => "veth-test";

    public DriverCapabilities Capabilities { get; } = new();

    /// <summary>A controller with this driver on a bare test namespace playing the host.</summary>
    public static Task<ControllerLab> ControllerLabAsync() =>
        ControllerLab.CreateAsync(host => new VethTestDriver(host.Netlink));

    public static string BridgeName(string networkId) => "br-" + networkId[..12];

    public static string HostVethName(string endpointId) => "vt" + endpointId[..12];

    public Task CreateNetworkAsync(DriverNetwork network, CancellationToken cancellationToken)
    {
        lock (_networks)
        {
            _networks[network.NetworkId] = network;
        }
        EnsureBridge(network);
        return Task.CompletedTask;
    }

    public Task DeleteNetworkAsync(string networkId, CancellationToken cancellationToken)
    {
        if (host.LinkFind(BridgeName(networkId)) is not null)
        {
            host.LinkDelete(BridgeName(networkId));
        }
        return Task.CompletedTask;
    }

    public Task<DriverEndpointResult> CreateEndpointAsync(DriverEndpoint endpoint, CancellationToken cancellationToken) =>
        Task.FromResult(new DriverEndpointResult { MacAddress = endpoint.MacAddress });

    public Task DeleteEndpointAsync(string networkId, string endpointId, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<JoinResult> JoinAsync(JoinRequest request, CancellationToken cancellationToken)
    {
        using var sandbox = NetworkNamespace.Open(request.SandboxKey);
        host.LinkAdd(new VethSpec(HostVethName(request.EndpointId), request.InterfaceName)
        {
            Master = BridgeName(request.NetworkId),
            Up = true,
            PeerNamespace = sandbox,
            PeerMacAddress = PhysicalAddress.Parse(request.MacAddress.Replace(':', '-')),
        });
        DriverNetwork network;
        lock (_networks)
        {
            network = _networks[request.NetworkId];
        }
        return Task.FromResult(new JoinResult
        {
            InterfaceName = request.InterfaceName,
            Gateway = network.IPv4.FirstOrDefault()?.Gateway?.Address,
            GatewayIPv6 = network.IPv6.FirstOrDefault()?.Gateway?.Address,
        });
    }

    public Task LeaveAsync(string networkId, string endpointId, CancellationToken cancellationToken)
    {
        if (host.LinkFind(HostVethName(endpointId)) is not null)
        {
            host.LinkDelete(HostVethName(endpointId));
        }
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<PortBinding>> ProgramExternalConnectivityAsync(ExternalConnectivityRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(request.PortBindings);

    public Task RevokeExternalConnectivityAsync(string networkId, string endpointId, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<DriverReconcileReport> ReconcileAsync(DriverReconcileRequest request, CancellationToken cancellationToken)
    {
        var recreated = new List<string>();
        var removed = new List<string>();
        foreach (var network in request.Networks)
        {
            lock (_networks)
            {
                _networks[network.NetworkId] = network;
            }
            if (host.LinkFind(BridgeName(network.NetworkId)) is null)
            {
                EnsureBridge(network);
                recreated.Add("bridge " + BridgeName(network.NetworkId));
            }
        }
        foreach (var state in request.Endpoints)
        {
            if (state.Join is not { } join)
            {
                continue;
            }
            if (host.LinkFind(HostVethName(join.EndpointId)) is null)
            {
                // The veth was deleted (its peer in the sandbox went with it): make both again.
                JoinAsync(join, cancellationToken).GetAwaiter().GetResult();
                recreated.Add("veth " + HostVethName(join.EndpointId));
            }
            else
            {
                // Deleting a bridge frees its ports rather than deleting them: attach to the new bridge.
                host.LinkSetMaster(HostVethName(join.EndpointId), BridgeName(join.NetworkId));
                host.LinkSetUp(HostVethName(join.EndpointId));
            }
        }
        var wanted = request.Networks.Select(n => BridgeName(n.NetworkId)).ToHashSet(StringComparer.Ordinal);
        foreach (var link in host.LinkList().Where(l => l.Name.StartsWith("br-", StringComparison.Ordinal) && !wanted.Contains(l.Name)))
        {
            host.LinkDelete(link.Name);
            removed.Add("bridge " + link.Name);
        }
        return Task.FromResult(new DriverReconcileReport { Recreated = recreated, Removed = removed });
    }

    private void EnsureBridge(DriverNetwork network)
    {
        var name = BridgeName(network.NetworkId);
        if (host.LinkFind(name) is null)
        {
            host.LinkAdd(new BridgeSpec(name) { Up = true });
        }
        foreach (var pool in network.IPv4.Concat(network.IPv6))
        {
            if (pool.Gateway is { } gw && !host.AddrList(name).Any(a => a.Address.Address.Equals(gw.Address)))
            {
                host.AddrAdd(name, new InterfaceAddress(gw.Address, gw.PrefixLength));
            }
        }
    }
}
