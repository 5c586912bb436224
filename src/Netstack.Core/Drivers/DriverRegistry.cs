using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Netstack.Core.Ipam;

namespace Netstack.Core.Drivers;

/// <summary>Thread-safe <see cref="IDriverRegistry"/>.</summary>
public sealed class DriverRegistry : IDriverRegistry
{
    private readonly ConcurrentDictionary<string, INetworkDriver> _networkDrivers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IIpamDriver> _ipamDrivers = new(StringComparer.Ordinal);

    public IReadOnlyCollection<INetworkDriver> NetworkDrivers => _networkDrivers.Values.ToArray();

    public IReadOnlyCollection<IIpamDriver> IpamDrivers => _ipamDrivers.Values.ToArray();

    public void AddNetworkDriver(INetworkDriver driver)
    {
        ArgumentNullException.ThrowIfNull(driver);
        if (!_networkDrivers.TryAdd(driver.Type, driver))
        {
            throw new ConflictException($"network driver \"{driver.Type}\" is already registered");
        }
    }

    public void AddIpamDriver(IIpamDriver driver)
    {
        ArgumentNullException.ThrowIfNull(driver);
        if (!_ipamDrivers.TryAdd(driver.Name, driver))
        {
            throw new ConflictException($"IPAM driver \"{driver.Name}\" is already registered");
        }
    }

    public bool TryGetNetworkDriver(string type, [MaybeNullWhen(false)] out INetworkDriver driver) =>
        _networkDrivers.TryGetValue(type, out driver);

    public bool TryGetIpamDriver(string name, [MaybeNullWhen(false)] out IIpamDriver driver) =>
        _ipamDrivers.TryGetValue(name, out driver);
}
