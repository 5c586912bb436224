using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Netstack.Core.Drivers;

namespace Netstack.Drivers.Remote;

/// <summary>Registers remote-driver plugin discovery with the daemon's services.</summary>
public static class RemoteServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="RemoteDriverResolver"/> as the <see cref="IDriverResolver"/>: the daemon's
    /// <see cref="DriverRegistry"/> asks it for every driver or IPAM name no built-in driver has.
    /// </summary>
    public static IServiceCollection AddRemoteDrivers(this IServiceCollection services, Action<RemoteDriverOptions>? configure = null) =>
        services.AddRemoteDrivers((_, options) => configure?.Invoke(options));

    /// <summary>Like <see cref="AddRemoteDrivers(IServiceCollection, Action{RemoteDriverOptions})"/>, configured from other services (the daemon's flags).</summary>
    public static IServiceCollection AddRemoteDrivers(this IServiceCollection services, Action<IServiceProvider, RemoteDriverOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddSingleton(sp =>
        {
            var options = new RemoteDriverOptions();
            configure(sp, options);
            return new RemoteDriverResolver(options, sp.GetService<TimeProvider>(), sp.GetService<ILoggerFactory>());
        });
        services.AddSingleton<IDriverResolver>(sp => sp.GetRequiredService<RemoteDriverResolver>());
        return services;
    }
}
