using System.Globalization;
using System.Text.Json.Nodes;
using Netstack.Core;
using Netstack.Core.Drivers;
using Netstack.Core.Ipam;
using Netstack.Drivers.Remote.Protocol;

namespace Netstack.Drivers.Remote;

public sealed partial class RemoteNetworkDriver
{
    /// <summary>
    /// <c>NetworkDriver.CreateNetwork</c> with the pools as <c>IPv4Data</c>/<c>IPv6Data</c> (CIDR
    /// strings) and the options as libnetwork passes them: the user's <c>-o</c> under
    /// <c>com.docker.network.generic</c>, plus <c>com.docker.network.enable_ipv6</c> and, for an
    /// internal network, <c>com.docker.network.internal</c>.
    /// </summary>
    public async Task CreateNetworkAsync(DriverNetwork network, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(network);
        var generic = new JsonObject();
        foreach (var (key, value) in network.Options)
        {
            generic[key] = value;
        }
        var options = new JsonObject
        {
            [DockerOptions.Generic] = generic,
            [DockerOptions.EnableIPv6] = network.EnableIPv6,
        };
        if (network.Internal)
        {
            options[DockerOptions.Internal] = true;
        }
        var request = new CreateNetworkRequest
        {
            NetworkID = network.NetworkId,
            Options = options,
            IPv4Data = network.IPv4.Select(ToIpamData).ToArray(),
            IPv6Data = network.IPv6.Select(ToIpamData).ToArray(),
        };
        await CallAsync("CreateNetwork", request, PluginJsonContext.Default.CreateNetworkRequest, PluginJsonContext.Default.EmptyResponse, cancellationToken).ConfigureAwait(false);
        _networks.TryAdd(network.NetworkId, 0);
    }

    /// <summary><c>NetworkDriver.DeleteNetwork</c>; a network this driver does not know that the plugin refuses is taken as gone.</summary>
    public async Task DeleteNetworkAsync(string networkId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(networkId);
        await TeardownAsync("DeleteNetwork", new NetworkRequest { NetworkID = networkId }, PluginJsonContext.Default.NetworkRequest,
            _networks.ContainsKey(networkId), cancellationToken).ConfigureAwait(false);
        _networks.TryRemove(networkId, out _);
    }

    private static IpamData ToIpamData(DriverIpamData data) => new()
    {
        AddressSpace = IpamAddressSpaces.Local,
        Pool = data.Subnet.ToString(),
        Gateway = data.Gateway?.ToString(),
        AuxAddresses = data.AuxAddresses.Count == 0
            ? null
            : data.AuxAddresses.ToDictionary(a => a.Key, a => $"{a.Value}/{data.Subnet.PrefixLength.ToString(CultureInfo.InvariantCulture)}", StringComparer.Ordinal),
    };
}
