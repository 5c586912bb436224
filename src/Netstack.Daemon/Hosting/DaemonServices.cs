using Microsoft.Extensions.Options;
using Netstack.Core.Drivers;
using Netstack.Daemon.Containers;
using Netstack.Runtime;
using Netstack.Runtime.Containers;
using Netstack.Runtime.Images;

namespace Netstack.Daemon.Hosting;

/// <summary>
/// The composition root's parts that are the daemon's own: options, clock, driver registry, the
/// container runtime and the glue between it and the controller. The controller and the drivers
/// register through their own extension methods (<c>AddNetworkController()</c>, <c>AddBridgeDriver()</c>),
/// called from <see cref="DaemonHost"/>.
/// </summary>
internal static class DaemonServices
{
    public static IServiceCollection AddDaemonCore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DaemonOptions>().Bind(configuration).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DaemonOptions>, DaemonOptionsValidator>();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<DaemonIdentity>();
        services.AddSingleton<DriverRegistry>();
        services.AddSingleton<IDriverRegistry>(sp => sp.GetRequiredService<DriverRegistry>());
        return services;
    }

    /// <summary>Images and containers on runc, with their sandboxes from the controller.</summary>
    public static IServiceCollection AddContainerRuntime(this IServiceCollection services)
    {
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<DaemonOptions>>().Value;
            return new RuntimeOptions { DataRoot = options.Root, ExecRoot = options.ExecRoot };
        });
        services.AddSingleton(sp => new ImageStore(sp.GetRequiredService<RuntimeOptions>(), sp.GetRequiredService<TimeProvider>(), sp.GetService<ILogger<ImageStore>>()));
        services.AddSingleton(sp => new ContainerRuntime(sp.GetRequiredService<RuntimeOptions>(), sp.GetRequiredService<ImageStore>(), sp.GetRequiredService<TimeProvider>(), sp.GetService<ILogger<ContainerRuntime>>()));
        services.AddSingleton<ContainerService>();
        services.AddSingleton<IContainerNetworking>(sp => sp.GetRequiredService<ContainerService>());
        services.AddSingleton<IContainerCounts>(sp => sp.GetRequiredService<ContainerService>());
        return services;
    }
}
