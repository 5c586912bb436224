using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using Netstack.Daemon.Dns;
using Netstack.Controller;
using Netstack.Daemon.Containers;
using Netstack.Daemon.Http;
using Netstack.Daemon.Plugin;
using Netstack.Daemon.Routes;

namespace Netstack.Daemon.Hosting;

/// <summary>
/// Builds and runs netstackd: Kestrel on the unix socket, the routes, and the start sequence
/// (reconcile the kernel with the store, recover containers, then serve).
/// </summary>
internal static class DaemonHost
{
    /// <summary>
    /// The web application for <paramref name="configuration"/>. <paramref name="configureServices"/>
    /// registers the controller and the drivers (the production set in <see cref="Program"/>, fakes in unit tests).
    /// </summary>
    public static WebApplication Build(IConfiguration configuration, Action<IServiceCollection> configureServices)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(configureServices);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddConfiguration(configuration);

        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            o.UseUtcTimestamp = true;
            o.ColorBehavior = LoggerColorBehavior.Disabled;
        });
        builder.Services.AddOptions<LoggerFilterOptions>().Configure<IOptions<DaemonOptions>>((filter, daemon) =>
        {
            filter.MinLevel = daemon.Value.MinimumLogLevel;
            // ASP.NET's per-request logs would drown ours at info.
            filter.Rules.Add(new LoggerFilterRule(null, "Microsoft", LogLevel.Warning, null));
        });

        builder.Services.AddDaemonCore(builder.Configuration);
        builder.Services.AddDockerPlugin();
        Upstream.UpstreamRegistration.AddUpstreamPortMapping(builder.Services);
        configureServices(builder.Services);
        builder.Services.TryAddSingletonNetworking();

        builder.Services.Configure<Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets.SocketTransportOptions>(
            sockets => sockets.CreateBoundListenSocket = SocketFile.CreateBoundListenSocket);
        builder.Services.AddOptions<KestrelServerOptions>().Configure<IOptions<DaemonOptions>, IOptions<PluginOptions>>((kestrel, daemon, plugin) =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = DaemonLimits.MaxJsonBodyBytes;
            kestrel.ListenUnixSocket(daemon.Value.SocketPath, listen => listen.Use(HijackRequestRewriter.Wrap));
            if (plugin.Value.IsEnabled)
            {
                // The Docker plugin protocol on a listener of its own; its requests are branched off below.
                kestrel.ListenUnixSocket(plugin.Value.SocketPath, listen => listen.Use(PluginEndpoint.MarkConnections));
            }
        });

        var app = builder.Build();
        // Plugin calls first: they answer {"Err"} in Docker's plugin format, never the engine's.
        app.MapWhen(PluginEndpoint.IsPluginRequest, plugin => plugin.Run(PluginEndpoint.InvokeAsync));
        app.UseMiddleware<ErrorMiddleware>();
        app.UseMiddleware<ApiVersionMiddleware>();
        app.UseRouting();
        SystemRoutes.Map(app);
        NetworkRoutes.Map(app);
        SandboxRoutes.Map(app);
        NodeRoutes.Map(app);
        UpstreamRoutes.Map(app);
        DebugRoutes.Map(app);
        if (app.Services.GetService<ContainerService>() is not null)
        {
            ContainerRoutes.Map(app);
            ExecRoutes.Map(app);
            AttachRoutes.Map(app);
            ImageRoutes.Map(app);
        }
        return app;
    }

    /// <summary>Reconciles, recovers, binds the socket (mode 0660) and serves until <paramref name="stopping"/> or SIGTERM.</summary>
    public static async Task RunAsync(WebApplication app, CancellationToken stopping = default)
    {
        ArgumentNullException.ThrowIfNull(app);
        await StartAsync(app, stopping).ConfigureAwait(false);
        await app.WaitForShutdownAsync(stopping).ConfigureAwait(false);
        Log.Stopping(app.Logger);
    }

    /// <summary>Everything of <see cref="RunAsync"/> up to serving; for tests that drive a daemon in-process.</summary>
    public static async Task StartAsync(WebApplication app, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(app);
        var options = app.Services.GetRequiredService<IOptions<DaemonOptions>>().Value;
        // The cluster flags are validated here too, before the kernel or the store is touched.
        _ = app.Services.GetRequiredService<IOptions<Gossip.GossipDaemonOptions>>().Value;
        _ = app.Services.GetRequiredService<IOptions<Cluster.ClusterStoreOptions>>().Value;
        _ = app.Services.GetRequiredService<IOptions<Upstream.UpstreamOptions>>().Value;
        var logger = app.Logger;
        Directory.CreateDirectory(options.Root);
        Directory.CreateDirectory(options.ExecRoot);
        // First of all: a second daemon on the same socket must stop before it touches the kernel or the store.
        if (SocketFile.Prepare(options.SocketPath))
        {
            Log.StaleSocketRemoved(logger, options.SocketPath);
        }
        var plugin = app.Services.GetRequiredService<IOptions<PluginOptions>>().Value;
        if (plugin.IsEnabled && SocketFile.Prepare(plugin.SocketPath, "--plugin-socket"))
        {
            Log.StaleSocketRemoved(logger, plugin.SocketPath);
        }

        var controller = app.Services.GetRequiredService<INetworkController>();
        var report = await controller.ReconcileAsync(cancellationToken).ConfigureAwait(false);
        Log.Reconciled(logger, report.Repaired.Count, report.Recreated.Count, report.Removed.Count, report.Errors.Count);
        foreach (var change in report.Repaired.Concat(report.Recreated).Concat(report.Removed))
        {
            Log.ReconcileChange(logger, change);
        }
        foreach (var error in report.Errors)
        {
            Log.ReconcileError(logger, error);
        }
        if (app.Services.GetService<ContainerService>() is { } containers)
        {
            var recovered = await containers.RecoverAsync(cancellationToken).ConfigureAwait(false);
            Log.ContainersRecovered(logger, recovered.Count);
        }
        if (app.Services.GetService<SandboxResolvers>() is { } resolvers)
        {
            await resolvers.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        if (app.Services.GetService<ContainerService>() is { } restartable)
        {
            // After the resolvers: a restarted container's sandbox gets its resolver as on any start.
            await restartable.ApplyRestartPoliciesAsync(cancellationToken).ConfigureAwait(false);
        }

        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        SocketFile.SetAccess(options.SocketPath, options.Group);
        Log.Listening(logger, SystemFacts.Version, options.SocketPath, options.Root, options.ExecRoot);
        if (plugin.IsEnabled)
        {
            SocketFile.SetAccess(plugin.SocketPath, options.Group);
            // dockerd discovers the plugin by its socket file: a stopped daemon must not leave one behind.
            app.Lifetime.ApplicationStopped.Register(() => SocketFile.Remove(plugin.SocketPath));
            Log.PluginListening(logger, plugin.SocketPath);
        }
    }

    private static void TryAddSingletonNetworking(this IServiceCollection services)
    {
        // Without a container runtime every connect target is a sandbox.
        if (!services.Any(d => d.ServiceType == typeof(IContainerNetworking)))
        {
            services.AddSingleton<IContainerNetworking, SandboxNetworking>();
        }
    }
}
