using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Netstack.Core.Drivers;

namespace Netstack.Drivers.Bridge;

/// <summary>Registers the bridge driver with the daemon's services.</summary>
public static class BridgeServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="BridgeDriver"/> as a singleton and as an <see cref="INetworkDriver"/>; the daemon
    /// adds every registered <see cref="INetworkDriver"/> to its <see cref="IDriverRegistry"/>.
    /// </summary>
    public static IServiceCollection AddBridgeDriver(this IServiceCollection services, Action<BridgeDriverOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton(sp =>
        {
            var options = new BridgeDriverOptions();
            configure?.Invoke(options);
            // Settings that come from the daemon's configuration (the firewall backend).
            foreach (var setup in sp.GetServices<IConfigureOptions<BridgeDriverOptions>>())
            {
                setup.Configure(options);
            }
            return new BridgeDriver(options, sp.GetService<ILoggerFactory>());
        });
        services.AddSingleton<INetworkDriver>(sp => sp.GetRequiredService<BridgeDriver>());
        return services;
    }
}
