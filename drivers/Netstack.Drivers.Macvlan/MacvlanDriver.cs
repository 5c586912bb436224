using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging;
using Netstack.Core.Drivers;
using Netstack.Core;
using Netstack.Linux;

namespace Netstack.Drivers.Macvlan;

/// <summary>
/// Docker's macvlan driver on Netstack's kernel layer: containers sit directly on the parent's layer-2
/// segment, each with a macvlan of the parent created straight inside its sandbox (no bridge, no
/// NAT, no published ports). <c>parent=IF.VLAN</c> makes an 802.1Q sub-interface first, marked so
/// that only sub-interfaces the driver made are ever deleted. Methods are split by concern:
/// networks, endpoints, reconcile.
/// </summary>
public sealed partial class MacvlanDriver : INetworkDriver, IDisposable
{
    public const string DriverType = "macvlan";

    private readonly HostNetwork _host;
    private readonly ILogger _logger;
    // Network changes and reconcile are serialised: the checks between networks (passthru, subnets
    // on one parent) read the whole table. Joins and leaves are not (netlink serialises its requests).
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly ConcurrentDictionary<string, MacvlanNetwork> _networks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, MacvlanEndpoint> _endpoints = new(StringComparer.Ordinal);

    public MacvlanDriver(MacvlanDriverOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<MacvlanDriver>();
        _host = HostNetwork.Open(options.HostNamespacePath);
    }

    public string Type => DriverType;

    // Gateways are machines on the segment (a router), not something the driver owns; IPAM still
    // reserves the gateway address so no container gets it.
    /// <summary>As Docker's: data local, but the network reaches every host on the parent's LAN, so it may be global (<c>--scope global</c>).</summary>
    public DriverCapabilities Capabilities { get; } = new() { DataScope = NetworkScope.Local, ConnectivityScope = NetworkScope.Global };

    public void Dispose()
    {
        _host.Dispose();
        _lock.Dispose();
    }

    private MacvlanNetwork RequireNetwork(string networkId) =>
        _networks.TryGetValue(networkId, out var network) ? network : throw new NotFoundException("network", networkId, "the macvlan driver does not know it");

    private async Task<IDisposable> LockAsync(CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Releaser(_lock);
    }

    private sealed class Releaser(SemaphoreSlim semaphore) : IDisposable
    {
        public void Dispose() => semaphore.Release();
    }
}
