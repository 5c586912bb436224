using System.CommandLine;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Netstack.Daemon.Hosting;

namespace Netstack.Daemon.Plugin;

/// <summary>The Docker plugin endpoint's flags and services, hooked into netstackd's command line and composition root.</summary>
internal static class PluginRegistration
{
    /// <summary>Adds <c>--plugin</c> and <c>--plugin-socket</c>.</summary>
    public static void AddFlags(DaemonCommandLine commandLine)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        commandLine.SwitchFlag(new Option<bool>("--plugin") { Description = $"Serve the drivers and IPAM to a stock dockerd as the Docker plugin \"netstack\" on {PluginOptions.DefaultSocketPath}" });
        commandLine.Flag(new Option<string?>("--plugin-socket") { Description = $"Serve the Docker plugin protocol on this socket (turns it on; default {PluginOptions.DefaultSocketPath})" });
    }

    /// <summary>
    /// The options (validated at start), the plugin's state and handlers, and the decorator that
    /// hands the plugin's networks to each driver's reconcile together with the controller's.
    /// </summary>
    public static IServiceCollection AddDockerPlugin(this IServiceCollection services)
    {
        services.AddOptions<PluginOptions>().BindConfiguration("").ValidateOnStart();
        services.AddSingleton<IValidateOptions<PluginOptions>, PluginOptionsValidator>();
        services.TryAddSingleton<PluginState>();
        services.TryAddSingleton<PluginNetworkDriver>();
        services.TryAddSingleton<PluginIpamDriver>();
        services.AddSingleton<INetworkDriverDecorator>(sp => new PluginReconcileDecorator(sp.GetRequiredService<PluginState>()));
        return services;
    }
}
