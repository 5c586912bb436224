using Netstack.Core.Drivers;

namespace Netstack.Drivers.Bridge;

public sealed partial class BridgeDriver : ICaptureSource
{
    /// <summary>The network's Linux bridge in the host namespace: every frame between its endpoints and the gateway crosses it.</summary>
    public IReadOnlyList<CapturePoint> CapturePoints(string networkId) =>
        [new CapturePoint { NamespacePath = _host.Namespace?.Path, InterfaceName = RequireNetwork(networkId).Config.BridgeName, Role = "bridge" }];
}
