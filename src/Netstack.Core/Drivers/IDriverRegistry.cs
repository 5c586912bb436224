using System.Diagnostics.CodeAnalysis;
using Netstack.Core.Ipam;

namespace Netstack.Core.Drivers;

/// <summary>
/// Where the daemon registers network and IPAM drivers (<c>services.AddBridgeDriver()</c> ends up
/// here); the controller looks drivers up by type and never references a concrete driver.
/// </summary>
public interface IDriverRegistry
{
    /// <summary>Adds a network driver; a second driver with the same type is a <see cref="ConflictException"/>.</summary>
    void AddNetworkDriver(INetworkDriver driver);

    void AddIpamDriver(IIpamDriver driver);

    bool TryGetNetworkDriver(string type, [MaybeNullWhen(false)] out INetworkDriver driver);

    bool TryGetIpamDriver(string name, [MaybeNullWhen(false)] out IIpamDriver driver);

    IReadOnlyCollection<INetworkDriver> NetworkDrivers { get; }

    IReadOnlyCollection<IIpamDriver> IpamDrivers { get; }
}
