using Netstack.Controller;
using Netstack.Core;
using Netstack.Core.Storage;

namespace Netstack.Daemon.Cluster;

/// <summary>
/// While the daemon runs with a global store: the controller's watch of global networks, and this
/// node's liveness key <c>nodes/NAME</c> on a lease (it vanishes some seconds after the daemon dies;
/// after a store outage the lease is granted again).
/// </summary>
internal sealed partial class ClusterService(INetworkController controller, IClusterStore store, ControllerOptions options, ILogger<ClusterService> logger) : BackgroundService
{
    private static readonly TimeSpan LeaseTtl = TimeSpan.FromSeconds(10);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(controller.RunClusterWatchAsync(stoppingToken), KeepNodeKeyAsync(stoppingToken));

    private async Task KeepNodeKeyAsync(CancellationToken ct)
    {
        var key = "nodes/" + options.NodeName;
        var value = System.Text.Encoding.UTF8.GetBytes(new System.Text.Json.Nodes.JsonObject
        {
            ["node"] = options.NodeName,
            ["started"] = DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        }.ToJsonString());
        while (!ct.IsCancellationRequested)
        {
            long lease = 0;
            try
            {
                lease = await store.GrantLeaseAsync(LeaseTtl, ct).ConfigureAwait(false);
                await store.PutWithLeaseAsync(key, value, lease, ct).ConfigureAwait(false);
                await store.KeepLeaseAliveAsync(lease, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
#pragma warning disable CA1031 // the liveness key is retried for the daemon's whole life
            catch (Exception e)
#pragma warning restore CA1031
            {
                LogNodeKeyFailed(e.Message);
            }
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            _ = lease;
        }
        // A clean stop: the key goes now rather than at the lease's end.
        try
        {
            using var quick = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await store.DeleteAsync(key, cancellationToken: quick.Token).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // best effort at shutdown
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    [LoggerMessage(EventId = 6001, Level = LogLevel.Warning, Message = "global store: liveness key not kept ({Error}); retrying")]
    private partial void LogNodeKeyFailed(string error);
}
