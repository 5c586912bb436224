using System.Diagnostics.CodeAnalysis;
using Netstack.Core.Ipam;

namespace Netstack.Core.Drivers;

/// <summary>
/// Finds drivers that are not registered up front: the remote-driver plugins a daemon discovers on
/// disk, as libnetwork asks <c>plugins.Get</c> when a network names a driver it does not have. The
/// <see cref="DriverRegistry"/> asks it only for names no registered driver has, and keeps what it
/// returns. It may block (a plugin's activation is a request on its socket), bounded by its own
/// timeout; it never throws for a name it cannot find.
/// </summary>
public interface IDriverResolver
{
    bool TryResolveNetworkDriver(string type, [MaybeNullWhen(false)] out INetworkDriver driver);

    bool TryResolveIpamDriver(string name, [MaybeNullWhen(false)] out IIpamDriver driver);
}
