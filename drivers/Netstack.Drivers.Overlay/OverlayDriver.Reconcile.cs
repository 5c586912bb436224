using Netstack.Core;
using Netstack.Core.Drivers;
using Netstack.Linux;

namespace Netstack.Drivers.Overlay;

public sealed partial class OverlayDriver
{
    /// <summary>
    /// Rebuilds the driver from the store's view: every network is remembered; a network with joined
    /// endpoints gets its namespace back (reopened and repaired, or made anew), its peer table
    /// watched and its endpoints published again; a namespace of a network without joined endpoints
    /// is removed, as are overlay namespaces of unknown networks and VXLAN devices stranded in the
    /// host namespace by a crash between creation and the move.
    /// </summary>
    public async Task<DriverReconcileReport> ReconcileAsync(DriverReconcileRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var recreated = new List<string>();
        var removed = new List<string>();
        var errors = new List<string>();
        using (await LockAsync(cancellationToken).ConfigureAwait(false))
        {
            // Start from the request alone: what this process held before is let go (not destroyed).
            foreach (var old in _networks.Values)
            {
                old.Detach()?.Dispose();
            }
            _networks.Clear();
            RememberNetworks(request, errors);
            RememberEndpoints(request, errors);
            foreach (var network in _networks.Values)
            {
                ReconcileNetwork(network, recreated, removed, errors);
            }
            RemoveOrphans(removed, errors);
        }
        foreach (var line in recreated.Select(r => "recreated " + r).Concat(removed.Select(r => "removed " + r)).Concat(errors))
        {
            Log.Reconciled(_logger, line);
        }
        return new DriverReconcileReport { Recreated = recreated, Removed = removed, Errors = errors };
    }

    private void RememberNetworks(DriverReconcileRequest request, List<string> errors)
    {
        foreach (var network in request.Networks)
        {
            try
            {
                var config = OverlayOptionParser.Parse(network, UnderlayMtu);
                _networks[config.NetworkId] = new OverlayNetwork(config, _tables.NodeName, _advertise, _logger);
            }
            catch (NetstackException e)
            {
                errors.Add($"network {network.NetworkId}: {e.Message}");
            }
        }
    }

    private void RememberEndpoints(DriverReconcileRequest request, List<string> errors)
    {
        foreach (var state in request.Endpoints)
        {
            var ep = state.Endpoint;
            if (!_networks.TryGetValue(ep.NetworkId, out var network))
            {
                errors.Add($"endpoint {ep.EndpointId}: network {ep.NetworkId} is not a working overlay network");
                continue;
            }
            try
            {
                network.Endpoints[ep.EndpointId] = NewEndpoint(ep.NetworkId, ep.EndpointId, ep.MacAddress, ep.IPv4Address);
                if (state.Join is not null)
                {
                    network.Joined.Add(ep.EndpointId);
                }
            }
            catch (NetstackException e)
            {
                errors.Add($"endpoint {ep.EndpointId}: {e.Message}");
            }
        }
    }

    private void ReconcileNetwork(OverlayNetwork network, List<string> recreated, List<string> removed, List<string> errors)
    {
        var config = network.Config;
        if (network.Joined.Count == 0)
        {
            try
            {
                if (OverlayNamespace.RemoveLeftovers(_host, config, _directory))
                {
                    removed.Add($"namespace {config.NamespaceName} of network {config.NetworkId} (no endpoint joined)");
                }
            }
            catch (Exception e) when (e is NetlinkException or IOException)
            {
                errors.Add($"network {config.NetworkId}: {e.Message}");
            }
            return;
        }
        OverlayNamespace? datapath = null;
        List<string> working;
        try
        {
            datapath = OverlayNamespace.OpenExisting(config, _directory);
            if (datapath is null)
            {
                datapath = OverlayNamespace.Create(_host, config, _advertise, _port, _directory);
                recreated.Add($"namespace {config.NamespaceName} with br0 and {config.VxlanName}");
            }
            else
            {
                recreated.AddRange(datapath.Repair(_host, _advertise, _port));
            }
            working = CheckJoinedEndpoints(network, datapath, recreated, errors);
            network.Attach(datapath, _tables);
        }
        catch (Exception e) when (e is NetstackException or NetlinkException or IOException)
        {
            network.Detach();
            datapath?.Dispose();
            errors.Add($"network {config.NetworkId}: {e.Message}");
            return;
        }
        // Endpoints whose interface is gone stay joined (so a leave works) but are not announced:
        // an entry a previous run published for one is withdrawn.
        foreach (var id in network.Joined.Except(working))
        {
            _tables.Withdraw(config.NetworkId, PeerTable, id);
        }
        foreach (var id in working)
        {
            var endpoint = network.Endpoints[id];
            _tables.Publish(config.NetworkId, PeerTable, id, PeerRecordCodec.Encode(endpoint.ToPeerRecord(_advertise)));
        }
    }

    /// <summary>Each joined endpoint's host end must still be there, as a port of br0; returns the endpoints that are.</summary>
    private static List<string> CheckJoinedEndpoints(OverlayNetwork network, OverlayNamespace datapath, List<string> recreated, List<string> errors)
    {
        var bridge = datapath.Netlink.LinkIndex(OverlayNamespace.BridgeName);
        var working = new List<string>();
        foreach (var id in network.Joined.ToList())
        {
            var endpoint = network.Endpoints[id];
            var hostEnd = datapath.Netlink.LinkFind(endpoint.HostEnd);
            if (hostEnd is null)
            {
                // The veth died with an earlier namespace; the sandbox lost its interface with it.
                errors.Add($"endpoint {id}: its interface {endpoint.HostEnd} is gone; disconnect and connect it again");
                continue;
            }
            if (hostEnd.MasterIndex != bridge)
            {
                datapath.Netlink.LinkSetMaster(hostEnd.Index, bridge);
                datapath.Netlink.LinkSetUp(hostEnd.Index);
                recreated.Add($"bridge port {endpoint.HostEnd} of endpoint {id}");
            }
            working.Add(id);
        }
        return working;
    }

    private void RemoveOrphans(List<string> removed, List<string> errors)
    {
        var known = _networks.Values.Select(n => n.Config.NamespaceName).ToHashSet(StringComparer.Ordinal);
        foreach (var name in NetworkNamespace.List(_directory).Where(n => n.StartsWith(OverlayNetworkConfig.NamespacePrefix, StringComparison.Ordinal) && !known.Contains(n)))
        {
            try
            {
                OverlayNamespace.DeleteNamespace(name, _directory);
                removed.Add($"namespace {name} of an unknown network");
            }
            catch (Exception e) when (e is NetlinkException or IOException)
            {
                errors.Add($"delete namespace {name}: {e.Message}");
            }
        }
        IReadOnlyList<Link> links;
        try
        {
            links = _host.Netlink.LinkList();
        }
        catch (NetlinkException e)
        {
            errors.Add($"list links: {e.Message}");
            return;
        }
        // A VXLAN device of ours lives in its overlay namespace; one in the host namespace was
        // stranded by a crash between its creation and the move.
        foreach (var link in links.Where(l => l.Kind == "vxlan" && l.Name.StartsWith(OverlayNetworkConfig.VxlanPrefix, StringComparison.Ordinal)))
        {
            try
            {
                OverlayNamespace.DeleteLinkIfPresent(_host.Netlink, link.Name);
                removed.Add($"vxlan {link.Name} stranded in {_host.Description}");
            }
            catch (NetlinkException e)
            {
                errors.Add($"delete {link.Name}: {e.Message}");
            }
        }
    }
}
