using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Netstack.Core.Ipam;

namespace Netstack.Core.Drivers;

/// <summary>
/// Thread-safe <see cref="IDriverRegistry"/>. With an <see cref="IDriverResolver"/>, a name no
/// registered driver has is asked of the resolver (remote-driver plugins), and what it finds is kept
/// as if it had been registered: later lookups and <see cref="NetworkDrivers"/> include it.
/// </summary>
public sealed class DriverRegistry : IDriverRegistry
{
    private readonly ConcurrentDictionary<string, INetworkDriver> _networkDrivers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IIpamDriver> _ipamDrivers = new(StringComparer.Ordinal);
    private readonly IDriverResolver? _resolver;

    public DriverRegistry(IDriverResolver? resolver = null) => _resolver = resolver;

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

    public bool TryGetNetworkDriver(string type, [MaybeNullWhen(false)] out INetworkDriver driver)
    {
        if (_networkDrivers.TryGetValue(type, out driver))
        {
            return true;
        }
        if (_resolver is null || string.IsNullOrEmpty(type) || !_resolver.TryResolveNetworkDriver(type, out var found))
        {
            return false;
        }
        // Two lookups racing on one plugin: the first one kept wins, both callers get it.
        driver = _networkDrivers.GetOrAdd(type, found);
        return true;
    }

    public bool TryGetIpamDriver(string name, [MaybeNullWhen(false)] out IIpamDriver driver)
    {
        if (_ipamDrivers.TryGetValue(name, out driver))
        {
            return true;
        }
        if (_resolver is null || string.IsNullOrEmpty(name) || !_resolver.TryResolveIpamDriver(name, out var found))
        {
            return false;
        }
        driver = _ipamDrivers.GetOrAdd(name, found);
        return true;
    }
}
