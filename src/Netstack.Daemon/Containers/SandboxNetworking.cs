using Netstack.Controller;
using Netstack.Core;

namespace Netstack.Daemon.Containers;

/// <summary>Connect/disconnect when the daemon has no container runtime: every target is a sandbox.</summary>
internal sealed class SandboxNetworking : IContainerNetworking
{
    private readonly INetworkController _controller;

    public SandboxNetworking(INetworkController controller)
    {
        _controller = controller;
    }

    public Task<EndpointInfo> ConnectAsync(string network, string target, EndpointSpec spec, CancellationToken cancellationToken) =>
        _controller.ConnectAsync(network, target, spec, cancellationToken);

    public Task DisconnectAsync(string network, string target, bool force, CancellationToken cancellationToken) =>
        _controller.DisconnectAsync(network, target, force, cancellationToken);
}
