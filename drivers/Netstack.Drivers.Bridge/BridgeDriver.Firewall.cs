using Netstack.Firewall;

namespace Netstack.Drivers.Bridge;

public sealed partial class BridgeDriver
{
    /// <summary>
    /// Puts the driver's iptables and ip6tables rules back when somebody else removed or changed
    /// them (<c>iptables -F</c>, <c>-X</c>, <c>firewall-cmd --reload</c>: Docker's moby#15254): compares
    /// the live tables with every rule the driver applied and, if anything differs, writes them all
    /// again (logged at warning with what differed). Cheap when nothing differs: one
    /// <c>iptables-save -t TABLE</c> per table in use, none in a family without rules. The daemon
    /// calls it every second; not under the driver's lock, as the firewall serialises its own changes.
    /// </summary>
    /// <exception cref="Netstack.Core.InternalException">iptables could not be read or written.</exception>
    public Task<IReadOnlyList<FirewallDrift>> RepairFirewallAsync(CancellationToken cancellationToken) =>
        _firewall.RepairAsync(cancellationToken);
}
