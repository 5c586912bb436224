using Netstack.Core.Drivers;

namespace Netstack.Drivers.Overlay;

public sealed partial class OverlayDriver : ICaptureSource
{
    /// <summary>
    /// br0 and the VXLAN device in the network's overlay namespace: br0 sees the endpoints' frames,
    /// the VXLAN device the same frames as they enter and leave the tunnel. Empty when no endpoint of
    /// this host joined (the namespace exists only while one has).
    /// </summary>
    public IReadOnlyList<CapturePoint> CapturePoints(string networkId)
    {
        var network = RequireNetwork(networkId);
        if (network.Datapath is not { } datapath)
        {
            return [];
        }
        var path = datapath.Namespace.Path;
        return
        [
            new CapturePoint { NamespacePath = path, InterfaceName = OverlayNamespace.BridgeName, Role = "br0" },
            new CapturePoint { NamespacePath = path, InterfaceName = datapath.Config.VxlanName, Role = "vxlan", Vni = datapath.Config.Vni },
        ];
    }
}
