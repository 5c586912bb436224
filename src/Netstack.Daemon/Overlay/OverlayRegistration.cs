using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Netstack.Core;
using Netstack.Core.Drivers;
using Netstack.Daemon.Gossip;
using Netstack.Daemon.Hosting;
using Netstack.Drivers.Overlay;

namespace Netstack.Daemon.Overlay;

/// <summary>The overlay driver's daemon settings (<c>--vxlan-port</c>).</summary>
public sealed class OverlayDaemonOptions
{
    /// <summary>UDP port of the VXLAN tunnels, the same on every node (Docker's <c>--data-path-port</c>); default 4789.</summary>
    [ConfigurationKeyName("vxlan-port")]
    public int VxlanPort { get; set; } = OverlayDriverOptions.DefaultVxlanPort;
}

/// <summary>
/// The overlay driver in netstackd: its tunnel endpoint is the gossip advertise address, its
/// namespaces live in <c>EXEC-ROOT/overlay</c> (apart from the sandboxes, whose directory the
/// controller sweeps), and its peers come from the gossip-backed driver tables. Without
/// <c>--advertise-addr</c> the driver is still listed, and refuses networks with the flag named.
/// </summary>
internal static class OverlayRegistration
{
    public static void AddFlags(DaemonCommandLine commandLine) =>
        commandLine.Flag(new Option<string?>("--vxlan-port") { Description = $"UDP port of overlay VXLAN tunnels, the same on every node (default {OverlayDriverOptions.DefaultVxlanPort})" });

    public static IServiceCollection AddOverlay(this IServiceCollection services)
    {
        services.AddOptions<OverlayDaemonOptions>().BindConfiguration("").Validate(
            o => o.VxlanPort is > 0 and <= 65535, "vxlan-port: expected a UDP port 1..65535").ValidateOnStart();
        services.AddSingleton<INetworkDriver>(sp =>
        {
            var gossip = sp.GetRequiredService<IOptions<GossipDaemonOptions>>().Value;
            var settings = gossip.Enabled ? GossipSettings.Resolve(gossip, []) : null;
            if (settings is null)
            {
                return new OverlayWithoutAdvertiseAddress();
            }
            var daemon = sp.GetRequiredService<IOptions<DaemonOptions>>().Value;
            var directory = Path.Combine(daemon.ExecRoot, "overlay");
            Directory.CreateDirectory(directory);
            return new OverlayDriver(new OverlayDriverOptions
            {
                AdvertiseAddress = settings.Advertise,
                VxlanPort = (ushort)sp.GetRequiredService<IOptions<OverlayDaemonOptions>>().Value.VxlanPort,
                NamespaceDirectory = directory,
            }, sp.GetRequiredService<IDriverTables>(), sp.GetService<ILoggerFactory>());
        });
        return services;
    }

    /// <summary>What <c>-d overlay</c> finds on a node without a tunnel endpoint: a clear refusal, nothing made.</summary>
    private sealed class OverlayWithoutAdvertiseAddress : INetworkDriver
    {
        public string Type => OverlayDriver.DriverType;

        public DriverCapabilities Capabilities { get; } = new() { DataScope = NetworkScope.Global, ConnectivityScope = NetworkScope.Global, NeedsVxlanId = true };

        public Task CreateNetworkAsync(DriverNetwork network, CancellationToken cancellationToken) =>
            throw new InvalidParameterException("driver", Type, "overlay networks need this node's tunnel endpoint: start netstackd with --advertise-addr IP (and --join to form the cluster)");

        public Task DeleteNetworkAsync(string networkId, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<DriverEndpointResult> CreateEndpointAsync(DriverEndpoint endpoint, CancellationToken cancellationToken) =>
            throw new InvalidParameterException("driver", Type, "overlay networks need --advertise-addr on this node");

        public Task DeleteEndpointAsync(string networkId, string endpointId, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<JoinResult> JoinAsync(JoinRequest request, CancellationToken cancellationToken) =>
            throw new InvalidParameterException("driver", Type, "overlay networks need --advertise-addr on this node");

        public Task LeaveAsync(string networkId, string endpointId, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<IReadOnlyList<PortBinding>> ProgramExternalConnectivityAsync(ExternalConnectivityRequest request, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<PortBinding>>([]);

        public Task RevokeExternalConnectivityAsync(string networkId, string endpointId, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<DriverReconcileReport> ReconcileAsync(DriverReconcileRequest request, CancellationToken cancellationToken) =>
            Task.FromResult(new DriverReconcileReport
            {
                Errors = request.Networks.Count == 0 ? [] : [$"{request.Networks.Count} overlay networks cannot be served without --advertise-addr"],
            });
    }
}
