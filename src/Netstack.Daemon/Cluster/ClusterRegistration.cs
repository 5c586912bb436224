using System.CommandLine;
using Microsoft.Extensions.Options;
using Netstack.Core.Storage;
using Netstack.Daemon.Hosting;
using Netstack.Store.Etcd;

namespace Netstack.Daemon.Cluster;

/// <summary>The global store's flags and services.</summary>
internal static class ClusterRegistration
{
    public static void AddFlags(DaemonCommandLine commandLine)
    {
        commandLine.Flag(new Option<string?>("--cluster-store") { Description = "Global store for multi-host networks: etcd://HOST:2379[,HOST:2379...] (default none: single host)" });
        commandLine.ListFlag(new Option<string[]>("--cluster-store-opt") { Description = "Global store option KEY=VALUE: kv.cacertfile, kv.certfile, kv.keyfile (TLS), kv.prefix (default /netstack); repeatable" });
    }

    /// <summary>
    /// Binds the options and, when a store is configured, the etcd client (an <see cref="IClusterStore"/>)
    /// and the service that keeps the controller's view of global networks and this node's liveness key.
    /// </summary>
    public static IServiceCollection AddClusterStore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ClusterStoreOptions>().Bind(configuration).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ClusterStoreOptions>, ClusterStoreOptionsValidator>();
        var enabled = configuration.GetSection("cluster-store").Value is { Length: > 0 };
        if (!enabled)
        {
            return services;
        }
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<ClusterStoreOptions>>().Value.Resolve());
        services.AddSingleton<IClusterStore>(sp => new EtcdKeyValueStore(sp.GetRequiredService<EtcdStoreOptions>()));
        services.AddHostedService<ClusterService>();
        return services;
    }
}

/// <summary>Checks the store URL and options at start: a bad one stops the daemon with the flag and value named.</summary>
internal sealed class ClusterStoreOptionsValidator : IValidateOptions<ClusterStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, ClusterStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Enabled)
        {
            return options.ClusterStoreOpt.Length > 0 || options.ClusterStoreOpts.Count > 0
                ? ValidateOptionsResult.Fail("cluster-store-opt: given without --cluster-store")
                : ValidateOptionsResult.Success;
        }
        try
        {
            options.Resolve();
            return ValidateOptionsResult.Success;
        }
        catch (Core.InvalidParameterException e)
        {
            return ValidateOptionsResult.Fail(e.Message);
        }
    }
}
