namespace Netstack.Core.Drivers;

/// <summary>
/// A network driver (bridge, macvlan, overlay, remote), modelled on libnetwork's <c>driverapi.Driver</c>.
/// The controller calls it; it never calls the controller. Division of work at join time: the driver
/// creates the interface inside the sandbox's namespace under the requested name (veth peer created
/// directly there, or a link moved there), with the endpoint's MAC, and leaves it DOWN; the
/// controller then adds the addresses, sets it up and installs the gateway and static routes the
/// driver returns.
/// <para>Every method must be safe to call again after a crash half-way (the controller replays undos
/// and reconciles): Delete/Leave/Revoke of something already gone succeed.</para>
/// </summary>
public interface INetworkDriver
{
    /// <summary>Driver type as users name it (<c>bridge</c>).</summary>
    string Type { get; }

    DriverCapabilities Capabilities { get; }

    /// <summary>Creates the network's kernel objects (a bridge, a VXLAN namespace...). Bad options: <see cref="InvalidParameterException"/> naming the option.</summary>
    Task CreateNetworkAsync(DriverNetwork network, CancellationToken cancellationToken);

    /// <summary>Removes everything the driver made for the network. Unknown id: success.</summary>
    Task DeleteNetworkAsync(string networkId, CancellationToken cancellationToken);

    /// <summary>
    /// Prepares an endpoint (host-side resources, table entries). Returns the MAC the driver chose when
    /// <see cref="DriverEndpoint.MacAddress"/> was empty, else that MAC.
    /// </summary>
    Task<DriverEndpointResult> CreateEndpointAsync(DriverEndpoint endpoint, CancellationToken cancellationToken);

    /// <summary>Removes the endpoint's driver resources. Unknown id: success.</summary>
    Task DeleteEndpointAsync(string networkId, string endpointId, CancellationToken cancellationToken);

    /// <summary>Creates the endpoint's interface inside the sandbox (see the type's remarks) and says how to route.</summary>
    Task<JoinResult> JoinAsync(JoinRequest request, CancellationToken cancellationToken);

    /// <summary>Removes the endpoint's interface from the sandbox (deleting the veth, or moving a link back). Not joined: success.</summary>
    Task LeaveAsync(string networkId, string endpointId, CancellationToken cancellationToken);

    /// <summary>
    /// Publishes the endpoint's ports and enables its outside connectivity (DNAT, proxy). Called after
    /// <see cref="JoinAsync"/> for the endpoint that provides the sandbox's gateway. Returns the bindings
    /// as programmed (host port 0 replaced by the port chosen). A host port already published:
    /// <see cref="ConflictException"/>.
    /// </summary>
    Task<IReadOnlyList<PortBinding>> ProgramExternalConnectivityAsync(ExternalConnectivityRequest request, CancellationToken cancellationToken);

    /// <summary>Removes what <see cref="ProgramExternalConnectivityAsync"/> set up. Nothing programmed: success.</summary>
    Task RevokeExternalConnectivityAsync(string networkId, string endpointId, CancellationToken cancellationToken);

    /// <summary>
    /// On daemon start, with everything the store holds for this driver: recreate missing kernel
    /// objects (a deleted bridge, a joined endpoint's lost rules) and remove objects the driver owns
    /// that are not listed (orphans from a crash). Kernel state owned by others is never touched.
    /// </summary>
    Task<DriverReconcileReport> ReconcileAsync(DriverReconcileRequest request, CancellationToken cancellationToken);
}
