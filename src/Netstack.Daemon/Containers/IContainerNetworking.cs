using Netstack.Core;

namespace Netstack.Daemon.Containers;

/// <summary>
/// <c>network connect/disconnect</c> for a target that is a container (by name or id) or a bare
/// sandbox: a container is resolved to its sandbox and its <c>/etc/hosts</c> follows the change.
/// </summary>
internal interface IContainerNetworking
{
    Task<EndpointInfo> ConnectAsync(string network, string target, EndpointSpec spec, CancellationToken cancellationToken);

    Task DisconnectAsync(string network, string target, bool force, CancellationToken cancellationToken);
}

/// <summary>Container and image counts for <c>/info</c>.</summary>
internal interface IContainerCounts
{
    (int Total, int Running, int Images) Count();
}
