using Netstack.Core;
using Netstack.Core.Drivers;
using Netstack.Linux;

namespace Netstack.Drivers.Macvlan;

public sealed partial class MacvlanDriver
{
    /// <summary>
    /// Rebuilds the driver's tables from the store (so the checks between networks and Leave work after
    /// a restart), recreates missing 802.1Q sub-interfaces of known networks, and deletes marked
    /// sub-interfaces no known network uses (orphans of a crash). Macvlans inside sandboxes are not
    /// touched: a sandbox's namespace takes them with it when it goes.
    /// </summary>
    public async Task<DriverReconcileReport> ReconcileAsync(DriverReconcileRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var recreated = new List<string>();
        var removed = new List<string>();
        var errors = new List<string>();
        using (await LockAsync(cancellationToken).ConfigureAwait(false))
        {
            _networks.Clear();
            foreach (var network in request.Networks)
            {
                try
                {
                    var config = MacvlanNetworkConfig.From(network);
                    _networks[network.NetworkId] = new MacvlanNetwork(config);
                    if (config.Parent.IsVlan && _host.Netlink.LinkFind(config.Parent.Name) is null)
                    {
                        EnsureParent(config.Parent);
                        recreated.Add($"802.1Q sub-interface {config.Parent.Name}");
                    }
                }
                catch (Exception e) when (e is NetstackException or NetlinkException)
                {
                    errors.Add($"network {network.NetworkId}: {e.Message}");
                }
            }
            _endpoints.Clear();
            foreach (var state in request.Endpoints)
            {
                var endpoint = state.Endpoint;
                _endpoints[endpoint.EndpointId] = new MacvlanEndpoint
                {
                    NetworkId = endpoint.NetworkId,
                    EndpointId = endpoint.EndpointId,
                    MacAddress = endpoint.MacAddress,
                    SandboxKey = state.Join?.SandboxKey,
                    InterfaceName = state.Join is { IsHandOver: true } ? HandOverName(endpoint.EndpointId) : state.Join?.InterfaceName,
                };
                // A handed-over macvlan lives in a namespace of dockerd's that this driver cannot see.
                if (state.Join is { IsHandOver: false } join && InterfaceMissing(join))
                {
                    // Recreating it would leave it without the addresses and routes the controller
                    // added at connect time; say so instead, as the bridge driver does.
                    errors.Add($"endpoint {endpoint.EndpointId}: its macvlan {join.InterfaceName} is gone from sandbox {join.SandboxKey}; disconnect and connect it again");
                }
            }
            var parents = _networks.Values.Select(n => n.Config.Parent.Name).ToHashSet(StringComparer.Ordinal);
            try
            {
                foreach (var link in _host.Netlink.LinkList().Where(l => l.Group == VlanLinks.Group && l.Kind == "vlan" && !parents.Contains(l.Name)))
                {
                    if (DeleteOwnVlan(link.Name))
                    {
                        removed.Add($"802.1Q sub-interface {link.Name}");
                    }
                }
            }
            catch (NetlinkException e)
            {
                errors.Add($"orphan sub-interfaces: {e.Message}");
            }
        }
        foreach (var line in recreated.Concat(removed).Concat(errors))
        {
            Log.Reconciled(_logger, line);
        }
        return new DriverReconcileReport { Recreated = recreated, Removed = removed, Errors = errors };
    }

    private static bool InterfaceMissing(JoinRequest join)
    {
        if (!File.Exists(join.SandboxKey))
        {
            return false;
        }
        try
        {
            using var sandbox = NetworkNamespace.Open(join.SandboxKey);
            using var netlink = sandbox.OpenNetlink();
            return netlink.LinkFind(join.InterfaceName) is not { Kind: "macvlan" };
        }
        catch (NetlinkException)
        {
            // The sandbox went meanwhile; the controller forgets its endpoints.
            return false;
        }
    }
}
