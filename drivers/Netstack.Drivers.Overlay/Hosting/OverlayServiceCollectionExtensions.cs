using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Netstack.Core.Drivers;

namespace Netstack.Drivers.Overlay;

/// <summary>Registers the overlay driver with the daemon's services.</summary>
public static class OverlayServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="OverlayDriver"/> as a singleton, as an <see cref="INetworkDriver"/> and as an
    /// <see cref="INetworkPeers"/>. The container must hold an <see cref="IDriverTables"/> (the
    /// gossip-backed tables, or <see cref="LocalDriverTables"/> for a node in no cluster);
    /// <paramref name="configure"/> must set <see cref="OverlayDriverOptions.AdvertiseAddress"/>.
    /// </summary>
    public static IServiceCollection AddOverlayDriver(this IServiceCollection services, Action<OverlayDriverOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new OverlayDriverOptions();
        configure(options);
        services.AddSingleton(sp => new OverlayDriver(options, sp.GetRequiredService<IDriverTables>(), sp.GetService<ILoggerFactory>()));
        services.AddSingleton<INetworkDriver>(sp => sp.GetRequiredService<OverlayDriver>());
        services.AddSingleton<INetworkPeers>(sp => sp.GetRequiredService<OverlayDriver>());
        return services;
    }
}
