using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging;
using Netstack.Core.Drivers;
using Netstack.Core;
using Netstack.Firewall;
using Netstack.Linux;

namespace Netstack.Drivers.Bridge;

/// <summary>
/// Docker's bridge driver on Netstack's kernel layer: a Linux bridge per network with the gateway on
/// it, veth pairs whose container end is created directly in the sandbox, isolation, masquerade and
/// published ports in iptables (no userland proxy: DNAT with hairpin and localhost working).
/// Methods are split by concern: networks, endpoints, ports, reconcile.
/// </summary>
public sealed partial class BridgeDriver : INetworkDriver, IDisposable
{
    public const string DriverType = "bridge";

    private readonly HostNetwork _host;
    private readonly IFirewall _firewall;
    private readonly ILogger _logger;
    // Network changes, port publishing and reconcile are serialised; joins and leaves are not (the
    // netlink handle serialises its own requests) so that many connects proceed together.
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly ConcurrentDictionary<string, BridgeNetwork> _networks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, BridgeEndpoint> _endpoints = new(StringComparer.Ordinal);
    private readonly PortTable _ports = new();
    private readonly LinkDeleteBatcher _leaving;
    private long _leavingBatches;

    public BridgeDriver(BridgeDriverOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        loggerFactory ??= NullLoggerFactory.Instance;
        _logger = loggerFactory.CreateLogger<BridgeDriver>();
        _host = HostNetwork.Open(options.HostNamespacePath);
        _firewall = new NetstackFirewall(FirewallBackends.Create(options.FirewallBackend, _host.Namespace, loggerFactory), BridgeChains.Layout, BridgeChains.LayoutV6);
        _leaving = new LinkDeleteBatcher(_host.Netlink, NextLeavingGroup);
    }

    /// <summary>
    /// The group of one batch of leaving host ends: in the driver's marker space, so that ends a
    /// crash strands there are removed by the next reconcile as links of an unknown network, and
    /// never a live network's group.
    /// </summary>
    private uint NextLeavingGroup()
    {
        var live = _networks.Values.Select(n => n.Config.Group).ToHashSet();
        while (true)
        {
            var group = LinkGroups.ForLeavingBatch(Interlocked.Increment(ref _leavingBatches));
            if (!live.Contains(group))
            {
                return group;
            }
        }
    }

    public string Type => DriverType;

    public DriverCapabilities Capabilities { get; } = new() { DataScope = NetworkScope.Local, ConnectivityScope = NetworkScope.Local };

    public void Dispose()
    {
        _host.Dispose();
        _lock.Dispose();
    }

    /// <summary>The firewall families of a network's rules; both when the network is unknown (a crash lost it).</summary>
    private IReadOnlyList<Netstack.Firewall.IpFamily> FamiliesOf(string networkId) =>
        _networks.TryGetValue(networkId, out var network) ? network.Config.Families : IpFamilies.Both;

    private BridgeNetwork RequireNetwork(string networkId) =>
        _networks.TryGetValue(networkId, out var network) ? network : throw new NotFoundException("network", networkId, "the bridge driver does not know it");

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
