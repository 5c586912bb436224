using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Netstack.Core.Drivers;

namespace Netstack.Drivers.Macvlan;

/// <summary>Registers the macvlan driver with the daemon's services.</summary>
public static class MacvlanServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="MacvlanDriver"/> as a singleton and as an <see cref="INetworkDriver"/>; the daemon
    /// adds every registered <see cref="INetworkDriver"/> to its <see cref="IDriverRegistry"/>.
    /// </summary>
    public static IServiceCollection AddMacvlanDriver(this IServiceCollection services, Action<MacvlanDriverOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = new MacvlanDriverOptions();
        configure?.Invoke(options);
        services.AddSingleton(sp => new MacvlanDriver(options, sp.GetService<ILoggerFactory>()));
        services.AddSingleton<INetworkDriver>(sp => sp.GetRequiredService<MacvlanDriver>());
        return services;
    }
}
