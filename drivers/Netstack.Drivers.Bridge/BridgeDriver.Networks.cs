using Netstack.Core;
using Netstack.Core.Drivers;
using Netstack.Linux;

namespace Netstack.Drivers.Bridge;

public sealed partial class BridgeDriver
{
    public async Task CreateNetworkAsync(DriverNetwork network, CancellationToken cancellationToken)
    {
        // Options are checked before anything is touched: a bad value creates nothing.
        var config = BridgeOptionParser.Parse(network);
        using (await LockAsync(cancellationToken).ConfigureAwait(false))
        {
            var clash = _networks.Values.FirstOrDefault(n => n.Config.NetworkId != config.NetworkId && n.Config.BridgeName == config.BridgeName);
            if (clash is not null)
            {
                throw new ConflictException($"bridge name \"{config.BridgeName}\" is used by network {clash.Config.NetworkId}; choose another {DockerOptions.BridgeName}");
            }
            var context = new BridgeSetupContext(_host, _firewall, config, cancellationToken);
            await BridgeSetup.RunAsync(context, rollback: true).ConfigureAwait(false);
            _networks[config.NetworkId] = new BridgeNetwork(config);
            Log.NetworkCreated(_logger, config.NetworkId, config.BridgeName, config.SubnetV4.ToString(), string.Join(", ", context.Ran));
        }
    }

    public async Task DeleteNetworkAsync(string networkId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(networkId);
        using (await LockAsync(cancellationToken).ConfigureAwait(false))
        {
            _networks.TryRemove(networkId, out var network);
            var teardown = new Teardown($"delete bridge network {networkId}");
            var endpoints = _endpoints.Values.Where(e => e.NetworkId == networkId).ToList();
            // One batch for the network's rules and its endpoints' published ports.
            var owners = endpoints.Where(e => e.PortBindings.Count > 0).Select(e => BridgeRules.EndpointOwner(e.EndpointId))
                .Append(BridgeRules.NetworkOwner(networkId)).ToList();
            // A network the driver forgot may have had IPv6: look in both families then.
            var families = network?.Config.Families ?? IpFamilies.Both;
            await teardown.StepAsync("remove firewall rules", () => _firewall.RemoveAsync(owners, families, CancellationToken.None)).ConfigureAwait(false);
            foreach (var endpoint in endpoints)
            {
                _ports.Remove(endpoint.EndpointId);
                _endpoints.TryRemove(endpoint.EndpointId, out _);
            }
            // The bridge and every host veth end of the network are in its interface group: one
            // request unregisters them all, with the bridge taken down first so the kernel does
            // not re-run port selection over the remaining ports as each one goes. The group
            // follows from the id, so this also cleans a network the driver forgot (a crash
            // before the store recorded it).
            var group = LinkGroups.ForNetwork(networkId);
            teardown.Step("delete links", () =>
            {
                if (network is null)
                {
                    _host.Netlink.LinkDeleteGroup(group);
                }
                else
                {
                    _host.Netlink.LinkDeleteGroup(group, network.Config.BridgeName);
                }
            });
            if (network is not null)
            {
                teardown.Step($"delete bridge {network.Config.BridgeName}", () => DeleteLinkIfPresent(network.Config.BridgeName));
            }
            teardown.ThrowIfFailed();
            Log.NetworkDeleted(_logger, networkId);
        }
    }

    private void DeleteLinkIfPresent(string name)
    {
        try
        {
            _host.Netlink.LinkDelete(name);
        }
        catch (NetlinkNotFoundException)
        {
            // Already gone: that is the goal.
        }
    }
}
