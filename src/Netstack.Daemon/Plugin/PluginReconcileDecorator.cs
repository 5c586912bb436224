using Netstack.Core.Drivers;
using Netstack.Daemon.Hosting;

namespace Netstack.Daemon.Plugin;

/// <summary>
/// Puts <see cref="PluginReconcilingDriver"/> around every network driver, so that the controller's
/// reconcile, which hands each driver only the controller's networks, hands it the plugin's too.
/// </summary>
internal sealed class PluginReconcileDecorator(PluginState state) : INetworkDriverDecorator
{
    public INetworkDriver Decorate(INetworkDriver driver) => new PluginReconcilingDriver(driver, state);
}

/// <summary>
/// A driver as the registry holds it when the plugin is composed in: every call goes straight to
/// the driver, except <see cref="ReconcileAsync"/>, whose request gains the networks and endpoints
/// the plugin stored for this driver. A driver's reconcile removes the objects it owns that it is
/// not given; without the merge, the controller's reconcile at start would delete every bridge
/// dockerd made through the plugin (and a reconcile by the plugin alone would delete the
/// controller's). One call with both keeps both.
/// </summary>
internal sealed class PluginReconcilingDriver(INetworkDriver inner, PluginState state) : INetworkDriver
{
    public INetworkDriver Inner => inner;

    public string Type => inner.Type;

    public DriverCapabilities Capabilities => inner.Capabilities;

    public Task CreateNetworkAsync(DriverNetwork network, CancellationToken cancellationToken) => inner.CreateNetworkAsync(network, cancellationToken);

    public Task DeleteNetworkAsync(string networkId, CancellationToken cancellationToken) => inner.DeleteNetworkAsync(networkId, cancellationToken);

    public Task<DriverEndpointResult> CreateEndpointAsync(DriverEndpoint endpoint, CancellationToken cancellationToken) => inner.CreateEndpointAsync(endpoint, cancellationToken);

    public Task DeleteEndpointAsync(string networkId, string endpointId, CancellationToken cancellationToken) => inner.DeleteEndpointAsync(networkId, endpointId, cancellationToken);

    public Task<JoinResult> JoinAsync(JoinRequest request, CancellationToken cancellationToken) => inner.JoinAsync(request, cancellationToken);

    public Task LeaveAsync(string networkId, string endpointId, CancellationToken cancellationToken) => inner.LeaveAsync(networkId, endpointId, cancellationToken);

    public Task<IReadOnlyList<Core.PortBinding>> ProgramExternalConnectivityAsync(ExternalConnectivityRequest request, CancellationToken cancellationToken) =>
        inner.ProgramExternalConnectivityAsync(request, cancellationToken);

    public Task RevokeExternalConnectivityAsync(string networkId, string endpointId, CancellationToken cancellationToken) =>
        inner.RevokeExternalConnectivityAsync(networkId, endpointId, cancellationToken);

    public async Task<DriverReconcileReport> ReconcileAsync(DriverReconcileRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var plugin = await state.ForDriverAsync(inner.Type, cancellationToken).ConfigureAwait(false);
        var known = request.Networks.Select(n => n.NetworkId).ToHashSet(StringComparer.Ordinal);
        // Ids are Docker's and the controller's random 64-hex ids: a clash would be a bug, and the controller's record wins.
        var networks = plugin.Networks.Where(n => !known.Contains(n.NetworkId)).ToArray();
        var ids = networks.Select(n => n.NetworkId).ToHashSet(StringComparer.Ordinal);
        return await inner.ReconcileAsync(new DriverReconcileRequest
        {
            Networks = [.. request.Networks, .. networks],
            Endpoints = [.. request.Endpoints, .. plugin.Endpoints.Where(e => ids.Contains(e.Endpoint.NetworkId))],
        }, cancellationToken).ConfigureAwait(false);
    }
}
