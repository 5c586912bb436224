using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Netstack.Linux;
using Netstack.Upstream;
using Netstack.Upstream.Mapping;

namespace Netstack.Daemon.Upstream;

/// <summary>
/// Runs the <see cref="PortMapper"/> for the daemon's lifetime: reads what a killed daemon left
/// (after containers are recovered, so their mappings are taken over rather than removed), loops in
/// the background, and removes every mapping when the daemon stops (bounded, so a silent router
/// cannot hold up the stop).
/// </summary>
internal sealed class UpstreamService : IHostedService, IDisposable
{
    /// <summary>What a stop waits for the router at most; what is left is removed at the next start.</summary>
    private static readonly TimeSpan StopBudget = TimeSpan.FromSeconds(10);

    private readonly PortMapper _mapper;
    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;

    public UpstreamService(PortMapper mapper) => _mapper = mapper;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_mapper.Enabled)
        {
            _mapper.LoadLeftovers();
            _loop = Task.Run(() => _mapper.RunAsync(_stopping.Token), CancellationToken.None);
        }
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (!_mapper.Enabled)
        {
            return;
        }
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(StopBudget);
        await _mapper.UnmapAllAsync(budget.Token).ConfigureAwait(false);
    }

    public void Dispose() => _stopping.Dispose();

    /// <summary>
    /// The discovery the mapper calls: the router is <c>--upstream-portmap-gateway</c> or the main
    /// table's IPv4 default route's gateway; this host's address is the one routed towards it.
    /// </summary>
    public static Func<CancellationToken, Task<UpstreamDiscovery.Result>> Discoverer(UpstreamOptions options, PortMapperOptions mapper, NetlinkHandle? netlink, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(mapper);
        return async ct =>
        {
            var gateway = options.ParsedGateway() ?? DefaultGateway(netlink);
            if (gateway is null)
            {
                return new UpstreamDiscovery.Result(null, ["this host has no IPv4 default route, so no gateway to ask (set --upstream-portmap-gateway IP)"]);
            }
            IPAddress local;
            try
            {
                local = UpstreamDiscovery.LocalAddressTowards(gateway);
            }
            catch (SocketException e)
            {
                return new UpstreamDiscovery.Result(null, [$"no route to the gateway {gateway}: {e.Message}"]);
            }
            return await UpstreamDiscovery.DiscoverAsync(mapper.Order, gateway, local, mapper.Timeouts, time, ct).ConfigureAwait(false);
        };
    }

    private static IPAddress? DefaultGateway(NetlinkHandle? netlink)
    {
        if (netlink is null)
        {
            return null;
        }
        return netlink.RouteList(AddressFamily.InterNetwork)
            .Where(r => r.Destination.PrefixLength == 0 && r.Gateway is not null)
            .Select(r => r.Gateway)
            .FirstOrDefault();
    }
}
