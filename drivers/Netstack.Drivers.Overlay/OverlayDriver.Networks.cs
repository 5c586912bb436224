using Netstack.Core;
using Netstack.Core.Drivers;
using Netstack.Linux;

namespace Netstack.Drivers.Overlay;

public sealed partial class OverlayDriver
{
    /// <summary>
    /// Validates the options and remembers the network; nothing is made in the kernel until an
    /// endpoint of it joins on this node (the network exists cluster-wide, most nodes never use it).
    /// </summary>
    public async Task CreateNetworkAsync(DriverNetwork network, CancellationToken cancellationToken)
    {
        var config = OverlayOptionParser.Parse(network, UnderlayMtu);
        using (await LockAsync(cancellationToken).ConfigureAwait(false))
        {
            var clash = _networks.Values.FirstOrDefault(n => n.Config.NetworkId != config.NetworkId && n.Config.Vni == config.Vni);
            if (clash is not null)
            {
                throw new ConflictException($"VXLAN id {config.Vni} ({DockerOptions.OverlayVxlanIdList}) is used by overlay network {clash.Config.NetworkId}");
            }
            if (_networks.TryGetValue(config.NetworkId, out var existing))
            {
                if (existing.Config.SameSettings(config))
                {
                    return;
                }
                throw new ConflictException($"overlay network {config.NetworkId} exists with other settings (VNI {existing.Config.Vni}, MTU {existing.Config.Mtu})");
            }
            _networks[config.NetworkId] = new OverlayNetwork(config, _tables.NodeName, _advertise, _logger);
            Log.NetworkCreated(_logger, config.NetworkId, config.Vni, config.Mtu);
        }
    }

    /// <summary>
    /// Removes the network's namespace with everything in it and withdraws its local table entries.
    /// A network the driver forgot (a crash) is found by its id in the namespace names.
    /// </summary>
    public async Task DeleteNetworkAsync(string networkId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(networkId);
        using (await LockAsync(cancellationToken).ConfigureAwait(false))
        {
            var teardown = new Teardown($"delete overlay network {networkId}");
            if (_networks.TryRemove(networkId, out var network))
            {
                foreach (var endpointId in network.Endpoints.Keys)
                {
                    teardown.Step($"withdraw endpoint {endpointId}", () => _tables.Withdraw(networkId, PeerTable, endpointId));
                }
                teardown.Step("stop watching the peer table", () => network.Detach()?.Destroy());
                teardown.Step("remove leftovers", () => OverlayNamespace.RemoveLeftovers(_host, network.Config, _directory));
            }
            teardown.Step("remove namespaces of the network", () => RemoveNamespacesOf(networkId));
            teardown.ThrowIfFailed();
            Log.NetworkDeleted(_logger, networkId);
        }
    }

    /// <summary>Namespaces under the directory named for this network id, whatever their VNI.</summary>
    private void RemoveNamespacesOf(string networkId)
    {
        var suffix = OverlayNetworkConfig.NamespaceSuffixFor(networkId);
        foreach (var name in NetworkNamespace.List(_directory).Where(n => n.StartsWith(OverlayNetworkConfig.NamespacePrefix, StringComparison.Ordinal) && n.EndsWith(suffix, StringComparison.Ordinal)))
        {
            OverlayNamespace.DeleteNamespace(name, _directory);
        }
    }

    /// <summary>Makes the network's namespace on the first join and starts hearing its peers.</summary>
    private void EnsureDatapath(OverlayNetwork network)
    {
        if (network.Datapath is not null)
        {
            return;
        }
        var datapath = OverlayNamespace.Create(_host, network.Config, _advertise, _port, _directory);
        try
        {
            network.Attach(datapath, _tables);
        }
        catch
        {
            network.Detach();
            datapath.Destroy();
            throw;
        }
        Log.DatapathCreated(_logger, network.Config.NetworkId, network.Config.NamespaceName, network.Config.VxlanName, network.Config.Vni, _port);
    }

    /// <summary>Removes the network's namespace when no local endpoint is joined any more.</summary>
    private void ReleaseDatapathIfUnused(OverlayNetwork network)
    {
        if (network.Joined.Count > 0 || network.Datapath is null)
        {
            return;
        }
        network.Detach()?.Destroy();
        Log.DatapathRemoved(_logger, network.Config.NetworkId, network.Config.NamespaceName);
    }
}
