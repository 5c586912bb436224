using System.Globalization;
using Netstack.Core;
using Netstack.Core.Drivers;
using Netstack.Linux;

namespace Netstack.Drivers.Bridge;

public sealed partial class BridgeDriver
{
    /// <summary>
    /// Brings the kernel in line with the store: every known network's bridge, addresses, sysctls and
    /// rules exist; every known endpoint's published ports are programmed; links in the driver's
    /// interface groups and rules with the driver's owner names that the store does not know are
    /// removed. Each failure is reported and the reconcile goes on.
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
            _endpoints.Clear();
            _ports.Clear();
            // Orphan rules first: listing the owners also re-checks the driver's base chains.
            await RemoveOrphanRulesAsync(request, removed, errors, cancellationToken).ConfigureAwait(false);
            await ReconcileNetworksAsync(request.Networks, recreated, errors, cancellationToken).ConfigureAwait(false);
            await ReconcileEndpointsAsync(request.Endpoints, recreated, errors, cancellationToken).ConfigureAwait(false);
            RemoveOrphanLinks(removed, errors);
        }
        foreach (var line in recreated.Select(r => "recreated " + r).Concat(removed.Select(r => "removed " + r)).Concat(errors))
        {
            Log.Reconciled(_logger, line);
        }
        return new DriverReconcileReport { Recreated = recreated, Removed = removed, Errors = errors };
    }

    private async Task ReconcileNetworksAsync(IReadOnlyList<DriverNetwork> networks, List<string> recreated, List<string> errors, CancellationToken cancellationToken)
    {
        foreach (var network in networks)
        {
            try
            {
                var config = BridgeOptionParser.Parse(network);
                var context = new BridgeSetupContext(_host, _firewall, config, cancellationToken);
                await BridgeSetup.RunAsync(context, rollback: false).ConfigureAwait(false);
                _networks[config.NetworkId] = new BridgeNetwork(config);
                if (context.BridgeCreated)
                {
                    recreated.Add($"bridge {config.BridgeName} of network {config.NetworkId}");
                }
            }
            catch (Exception e) when (e is NetstackException or NetlinkException or ArgumentException)
            {
                errors.Add($"network {network.NetworkId}: {e.Message}");
            }
        }
    }

    private async Task ReconcileEndpointsAsync(IReadOnlyList<DriverEndpointState> endpoints, List<string> recreated, List<string> errors, CancellationToken cancellationToken)
    {
        foreach (var state in endpoints)
        {
            var ep = state.Endpoint;
            if (!_networks.TryGetValue(ep.NetworkId, out var network))
            {
                errors.Add($"endpoint {ep.EndpointId}: network {ep.NetworkId} is not a working bridge network");
                continue;
            }
            var endpoint = new BridgeEndpoint
            {
                NetworkId = ep.NetworkId,
                EndpointId = ep.EndpointId,
                MacAddress = string.IsNullOrEmpty(ep.MacAddress) ? MacAddresses.ForEndpoint(ep.IPv4Address) : ep.MacAddress,
                IPv4Address = ep.IPv4Address,
                IPv6Address = ep.IPv6Address,
                PortBindings = state.PortBindings,
            };
            _endpoints[ep.EndpointId] = endpoint;
            try
            {
                if (state.Join is not null)
                {
                    var hostEnd = _host.Netlink.LinkFind(endpoint.HostEnd);
                    if (hostEnd is null)
                    {
                        errors.Add($"endpoint {ep.EndpointId}: its interface {endpoint.HostEnd} is gone; disconnect and connect it again");
                    }
                    else if (hostEnd.MasterIndex == 0 || hostEnd.MasterIndex != _host.Netlink.LinkIndex(network.Config.BridgeName))
                    {
                        // The bridge was recreated: the port was released when the old one went away.
                        _host.Netlink.LinkSetMaster(endpoint.HostEnd, network.Config.BridgeName);
                        _host.Netlink.LinkSetHairpin(endpoint.HostEnd, true);
                        _host.Netlink.LinkSetUp(endpoint.HostEnd);
                        recreated.Add($"bridge port {endpoint.HostEnd} of endpoint {ep.EndpointId}");
                    }
                }
                if (state.PortBindings.Count > 0)
                {
                    // The bindings are as the driver resolved them (0.0.0.0 and [::] twins included).
                    var rules = BridgeRules.ForPorts(network.Config, endpoint.Address, state.PortBindings, endpoint.IPv6Address?.Address);
                    await _firewall.ApplyAsync(BridgeRules.EndpointOwner(ep.EndpointId), rules, network.Config.Families, cancellationToken).ConfigureAwait(false);
                    _ports.Set(ep.EndpointId, state.PortBindings);
                }
            }
            catch (Exception e) when (e is NetstackException or NetlinkException or ArgumentException)
            {
                errors.Add($"endpoint {ep.EndpointId}: {e.Message}");
            }
        }
    }

    private void RemoveOrphanLinks(List<string> removed, List<string> errors)
    {
        var knownGroups = _networks.Values.Select(n => n.Config.Group).ToHashSet();
        var knownHostEnds = _endpoints.Values.Select(e => e.HostEnd).ToHashSet(StringComparer.Ordinal);
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
        foreach (var group in links.Where(l => LinkGroups.IsBridgeDriverGroup(l.Group) && !knownGroups.Contains(l.Group)).GroupBy(l => l.Group))
        {
            try
            {
                _host.Netlink.LinkDeleteGroup(group.Key);
                removed.Add($"links {string.Join(", ", group.Select(l => l.Name))} (group 0x{group.Key.ToString("x8", CultureInfo.InvariantCulture)}) of an unknown network");
            }
            catch (NetlinkException e)
            {
                errors.Add($"delete group 0x{group.Key.ToString("x8", CultureInfo.InvariantCulture)}: {e.Message}");
            }
        }
        foreach (var link in links.Where(l => knownGroups.Contains(l.Group) && l.Kind == "veth" && !knownHostEnds.Contains(l.Name)))
        {
            try
            {
                DeleteLinkIfPresent(link.Name);
                removed.Add($"veth {link.Name} of an unknown endpoint");
            }
            catch (NetlinkException e)
            {
                errors.Add($"delete {link.Name}: {e.Message}");
            }
        }
    }

    private async Task RemoveOrphanRulesAsync(DriverReconcileRequest request, List<string> removed, List<string> errors, CancellationToken cancellationToken)
    {
        var known = request.Networks.Select(n => BridgeRules.NetworkOwner(n.NetworkId))
            .Concat(request.Endpoints.Where(e => e.PortBindings.Count > 0).Select(e => BridgeRules.EndpointOwner(e.Endpoint.EndpointId)))
            .ToHashSet(StringComparer.Ordinal);
        // Both families every time: a crash can leave IPv6 rules of a network the store never recorded.
        foreach (var family in IpFamilies.Both)
        {
            IReadOnlySet<string> owners;
            try
            {
                owners = await _firewall.OwnersAsync(family, cancellationToken).ConfigureAwait(false);
            }
            catch (NetstackException e)
            {
                errors.Add($"list {family} firewall rules: {e.Message}");
                continue;
            }
            foreach (var owner in owners.Where(BridgeRules.IsDriverOwner).Where(o => !known.Contains(o)))
            {
                try
                {
                    await _firewall.RemoveAsync([owner], [family], cancellationToken).ConfigureAwait(false);
                    removed.Add($"{family} firewall rules of {owner}");
                }
                catch (NetstackException e)
                {
                    errors.Add($"remove {family} firewall rules of {owner}: {e.Message}");
                }
            }
        }
    }
}
