using Netstack.Daemon.Cluster;
using Microsoft.Extensions.Options;
using Netstack.Linux;
using Netstack.Controller;
using Netstack.Core.Drivers;
using Netstack.Core.Ipam;
using Netstack.Core.Storage;
using Netstack.Ipam;
using Netstack.Store;
using Netstack.Daemon.Containers;
using Netstack.Daemon.Dns;
using Netstack.Dns.Names;
using Netstack.Runtime;
using Netstack.Runtime.Containers;
using Netstack.Runtime.Images;

namespace Netstack.Daemon.Hosting;

/// <summary>
/// The composition root's parts: options, clock, driver registry, the controller on its store, the
/// container runtime and the glue between it and the controller. Network drivers register through
/// their own extension methods (<c>AddBridgeDriver()</c>), called from <see cref="Composition"/>.
/// </summary>
internal static class DaemonServices
{
    public static IServiceCollection AddDaemonCore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DaemonOptions>().Bind(configuration).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DaemonOptions>, DaemonOptionsValidator>();
        services.AddSingleton(TimeProvider.System);
        // After a burst of churn, the memory it took goes back to the system once the daemon is idle.
        services.AddHostedService<IdleMemoryTrim>();
        services.AddSingleton<DaemonIdentity>();
        // Drivers register themselves as INetworkDriver / IIpamDriver services; the registry takes them all,
        // and asks the IDriverResolver (remote plugins), when there is one, for any other name.
        services.AddSingleton(sp =>
        {
            var registry = new DriverRegistry(sp.GetService<IDriverResolver>());
            var decorators = sp.GetServices<INetworkDriverDecorator>().ToArray();
            foreach (var driver in sp.GetServices<INetworkDriver>())
            {
                registry.AddNetworkDriver(decorators.Aggregate(driver, (d, decorator) => decorator.Decorate(d)));
            }
            foreach (var driver in sp.GetServices<IIpamDriver>())
            {
                registry.AddIpamDriver(driver);
            }
            return registry;
        });
        services.AddSingleton<IDriverRegistry>(sp => sp.GetRequiredService<DriverRegistry>());
        services.AddClusterStore(configuration);
        return services;
    }

    /// <summary>
    /// The controller on the embedded SQLite store (<c>ROOT/netstack.db</c>), netstack's default IPAM
    /// fed with the host's routes, and sandboxes under <c>EXEC-ROOT/netns</c>.
    /// </summary>
    public static IServiceCollection AddNetworkController(this IServiceCollection services)
    {
        services.AddSingleton<IKeyValueStore>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<DaemonOptions>>().Value;
            Directory.CreateDirectory(options.Root);
            // Composition runs once at start, before serving: blocking here costs nothing.
            return SqliteKeyValueStore.OpenAsync(new SqliteStoreOptions { Path = Path.Combine(options.Root, "netstack.db") })
                .GetAwaiter().GetResult();
        });
        // One netlink handle for the daemon's lifetime; IPAM reads the host's routes through it.
        services.AddSingleton(_ => NetlinkHandle.Open());
        services.AddSingleton<IHostRouteSource>(sp => new NetlinkHostRoutes(sp.GetRequiredService<NetlinkHandle>()));
        services.AddSingleton<IIpamDriver>(sp => new DefaultIpamDriver(
            sp.GetRequiredService<IKeyValueStore>(), sp.GetService<IClusterStore>(), sp.GetRequiredService<IHostRouteSource>(),
            sp.GetService<ILogger<DefaultIpamDriver>>(), sp.GetRequiredService<ControllerOptions>().NodeName));
        services.AddSingleton(sp => new ControllerOptions
        {
            NetnsDirectory = Path.Combine(sp.GetRequiredService<IOptions<DaemonOptions>>().Value.ExecRoot, "netns"),
            NodeName = NodeNameOf(sp.GetRequiredService<IOptions<Gossip.GossipDaemonOptions>>().Value),
        });
        services.AddSingleton<INetworkController>(sp => new NetworkController(
            sp.GetRequiredService<ControllerOptions>(),
            sp.GetRequiredService<IKeyValueStore>(),
            sp.GetRequiredService<IDriverRegistry>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<NetworkController>>(),
            sp.GetService<IClusterStore>()));
        return services;
    }

    /// <summary>
    /// This node's name in the cluster, the same the gossip layer uses: <c>--node-name</c>, else the
    /// advertise address (namespace hosts share one host name), else the host name.
    /// </summary>
    private static string NodeNameOf(Gossip.GossipDaemonOptions gossip)
    {
        if (!string.IsNullOrWhiteSpace(gossip.NodeName))
        {
            return gossip.NodeName;
        }
        if (gossip.Enabled && Gossip.GossipSettings.Resolve(gossip, []) is { } settings)
        {
            return settings.NodeName;
        }
        return System.Net.Dns.GetHostName();
    }

    /// <summary>Images and containers on runc, with their sandboxes from the controller.</summary>
    public static IServiceCollection AddContainerRuntime(this IServiceCollection services)
    {
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<DaemonOptions>>().Value;
            return new RuntimeOptions { DataRoot = options.Root, ExecRoot = options.ExecRoot, ShimCommand = ShimCommand() };
        });
        services.AddSingleton(sp => new ImageStore(sp.GetRequiredService<RuntimeOptions>(), sp.GetRequiredService<TimeProvider>(), sp.GetService<ILogger<ImageStore>>()));
        services.AddSingleton(sp => new ContainerRuntime(sp.GetRequiredService<RuntimeOptions>(), sp.GetRequiredService<ImageStore>(), sp.GetRequiredService<TimeProvider>(), sp.GetService<ILogger<ContainerRuntime>>()));
        services.AddSingleton<ContainerService>();
        services.AddSingleton<ExecSessions>();
        services.AddSingleton<DnsNameTable>();
        services.AddSingleton<SandboxResolvers>();
        services.AddSingleton<IContainerNetworking>(sp => sp.GetRequiredService<ContainerService>());
        services.AddSingleton<IContainerCounts>(sp => sp.GetRequiredService<ContainerService>());
        return services;
    }

    /// <summary>
    /// How netstackd starts itself as a container's shim: its own executable (the apphost), or
    /// <c>dotnet</c> with its dll when it was started that way.
    /// </summary>
    internal static IReadOnlyList<string>? ShimCommand()
    {
        var process = Environment.ProcessPath;
        if (process is null)
        {
            return null;
        }
        return Path.GetFileNameWithoutExtension(process) == "dotnet"
            ? [process, Path.Combine(AppContext.BaseDirectory, typeof(DaemonServices).Assembly.GetName().Name + ".dll")]
            : [process];
    }
}
