using Netstack.Core;
using Netstack.Core.Drivers;
using Netstack.Linux;

namespace Netstack.Drivers.Macvlan;

public sealed partial class MacvlanDriver
{
    public async Task CreateNetworkAsync(DriverNetwork network, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(network);
        var config = MacvlanNetworkConfig.From(network);
        using (await LockAsync(cancellationToken).ConfigureAwait(false))
        {
            if (_networks.ContainsKey(network.NetworkId))
            {
                return;
            }
            CheckConflicts(config);
            CheckMtu(config);
            EnsureParent(config.Parent);
            _networks[network.NetworkId] = new MacvlanNetwork(config);
        }
        Log.NetworkCreated(_logger, network.NetworkId, config.Parent.Name, MacvlanModes.Name(config.Mode), string.Join(", ", config.Subnets));
    }

    public async Task DeleteNetworkAsync(string networkId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(networkId);
        using (await LockAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!_networks.TryRemove(networkId, out var network))
            {
                return;
            }
            var parent = network.Config.Parent;
            if (parent.IsVlan && !_networks.Values.Any(n => n.Config.Parent.Name == parent.Name))
            {
                try
                {
                    DeleteOwnVlan(parent.Name);
                }
                catch (NetlinkException e)
                {
                    _networks[networkId] = network;
                    throw new InternalException($"delete macvlan network {networkId}: {e.Message}", e);
                }
            }
        }
        Log.NetworkDeleted(_logger, networkId);
    }

    /// <summary>
    /// The rules between networks on one parent: passthru gives the parent's single macvlan to one
    /// network, and two networks on one segment with overlapping subnets would hand out clashing
    /// addresses.
    /// </summary>
    private void CheckConflicts(MacvlanNetworkConfig config)
    {
        foreach (var other in _networks.Values.Select(n => n.Config).Where(c => c.Parent.Name == config.Parent.Name))
        {
            if (config.Mode == MacvlanMode.Passthru)
            {
                throw new ConflictException($"macvlan parent {config.Parent.Name} is already used by network {other.NetworkId}; passthru mode needs a parent no other network uses");
            }
            if (other.Mode == MacvlanMode.Passthru)
            {
                throw new ConflictException($"macvlan parent {config.Parent.Name} is used in passthru mode by network {other.NetworkId}; no other network can share it");
            }
            if (config.OverlappingSubnet(other) is var (mine, theirs))
            {
                throw new ConflictException($"subnet {mine} overlaps subnet {theirs} of macvlan network {other.NetworkId} on the same parent {config.Parent.Name}");
            }
        }
    }

    /// <summary>
    /// A macvlan cannot be larger than its parent (macvlan_change_mtu answers EINVAL): refuse at create
    /// time rather than at every join. A parent still to be made (IF.VLAN) inherits its base's MTU.
    /// </summary>
    private void CheckMtu(MacvlanNetworkConfig config)
    {
        if (config.Mtu is not { } mtu)
        {
            return;
        }
        var parent = _host.Netlink.LinkFind(config.Parent.Name) ?? (config.Parent.VlanBase is { } vlanBase ? _host.Netlink.LinkFind(vlanBase) : null);
        if (parent is not null && mtu > parent.Mtu)
        {
            throw new InvalidParameterException(DockerOptions.DriverMtu, mtu.ToString(System.Globalization.CultureInfo.InvariantCulture),
                $"larger than the MTU {parent.Mtu} of parent {parent.Name}; a macvlan cannot exceed its parent");
        }
    }

    /// <summary>Checks the parent exists; for <c>IF.VLAN</c> that is not there yet, creates the 802.1Q sub-interface.</summary>
    private void EnsureParent(ParentInterface parent)
    {
        if (_host.Netlink.LinkFind(parent.Name) is not null)
        {
            return;
        }
        if (!parent.IsVlan)
        {
            throw new InvalidParameterException(MacvlanOptionNames.Parent, parent.Name, $"no such interface in {_host.Description}");
        }
        if (_host.Netlink.LinkFind(parent.VlanBase!) is null)
        {
            throw new InvalidParameterException(MacvlanOptionNames.Parent, parent.Name, $"its base interface \"{parent.VlanBase}\" does not exist in {_host.Description}");
        }
        CreateVlan(parent);
    }

    private void CreateVlan(ParentInterface parent)
    {
        try
        {
            _host.Netlink.LinkAdd(new VlanSpec(parent.Name, parent.VlanBase!, parent.VlanId) { Up = true, Group = VlanLinks.Group });
        }
        catch (NetlinkException e) when (e.Errno == Errno.EOPNOTSUPP)
        {
            // rtnl_newlink answers EOPNOTSUPP for a kind no module registered ("Unknown device
            // type" in iproute2): the kernel was built without CONFIG_VLAN_8021Q. Nothing was made.
            throw new NotImplementedNetstackException($"macvlan parent {parent.Name}: this kernel has no 802.1Q (vlan) support; use an existing interface as parent");
        }
        catch (NetlinkException e)
        {
            throw new InternalException($"macvlan parent {parent.Name}: cannot create the 802.1Q sub-interface: {e.Message}", e);
        }
        Log.VlanCreated(_logger, parent.Name, parent.VlanBase!, parent.VlanId);
    }

    /// <summary>Deletes the sub-interface if it is there and carries the driver's mark; one the administrator made stays.</summary>
    private bool DeleteOwnVlan(string name)
    {
        if (_host.Netlink.LinkFind(name) is not { Group: VlanLinks.Group, Kind: "vlan" } link)
        {
            return false;
        }
        try
        {
            _host.Netlink.LinkDelete(link.Index);
        }
        catch (NetlinkNotFoundException)
        {
            return false;
        }
        Log.VlanDeleted(_logger, name);
        return true;
    }
}
