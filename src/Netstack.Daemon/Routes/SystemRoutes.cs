using System.Runtime.InteropServices;
using Microsoft.Extensions.Options;
using Netstack.Api.Client;
using Netstack.Api.Contracts.Engine;
using Netstack.Api.Serialization;
using Netstack.Controller;
using Netstack.Core.Drivers;
using Netstack.Daemon.Containers;
using Netstack.Daemon.Hosting;
using Netstack.Daemon.Http;

namespace Netstack.Daemon.Routes;

/// <summary><c>/_ping</c>, <c>/version</c>, <c>/info</c>.</summary>
internal static class SystemRoutes
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapMethods("/_ping", ["GET", "HEAD"], Ping);
        routes.MapGet("/version", VersionAsync);
        routes.MapGet("/info", InfoAsync);
    }

    /// <summary>
    /// Clients read the headers to negotiate: the docker CLI sends HEAD /_ping first, takes
    /// API-Version as the highest version to use, and OSType for platform checks.
    /// </summary>
    private static async Task Ping(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers["API-Version"] = ApiClient.ApiVersion;
        headers["OSType"] = "linux";
        headers["Docker-Experimental"] = "false";
        headers.CacheControl = "no-cache, no-store, must-revalidate";
        headers.Pragma = "no-cache";
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.ContentLength = 2;
        if (HttpMethods.IsGet(context.Request.Method))
        {
            await context.Response.WriteAsync("OK", context.RequestAborted).ConfigureAwait(false);
        }
    }

    private static Task VersionAsync(HttpContext context)
    {
        var runtime = RuntimeInformation.FrameworkDescription;
        var version = new VersionResponse
        {
            Platform = new PlatformInfo { Name = "Netstack" },
            Components =
            [
                new ComponentVersion
                {
                    Name = "Engine",
                    Version = SystemFacts.Version,
                    Details = new Dictionary<string, string>(StringComparer.Ordinal)
                    {
                        ["ApiVersion"] = ApiClient.ApiVersion,
                        ["MinAPIVersion"] = ApiVersionMiddleware.MinApiVersion,
                        ["Os"] = "linux",
                        ["Arch"] = SystemFacts.Arch,
                        ["KernelVersion"] = SystemFacts.KernelVersion,
                        ["GoVersion"] = runtime,
                    },
                },
            ],
            Version = SystemFacts.Version,
            ApiVersion = ApiClient.ApiVersion,
            MinApiVersion = ApiVersionMiddleware.MinApiVersion,
            GoVersion = runtime,
            Os = "linux",
            Arch = SystemFacts.Arch,
            KernelVersion = SystemFacts.KernelVersion,
        };
        return HttpJson.WriteAsync(context, version, ApiJsonContext.Default.VersionResponse);
    }

    private static async Task InfoAsync(HttpContext context)
    {
        var services = context.RequestServices;
        var options = services.GetRequiredService<IOptions<DaemonOptions>>().Value;
        var drivers = services.GetRequiredService<IDriverRegistry>();
        var counts = services.GetService<IContainerCounts>()?.Count() ?? default;
        var identity = services.GetRequiredService<DaemonIdentity>();
        var info = new InfoResponse
        {
            Id = identity.Id,
            Containers = counts.Total,
            ContainersRunning = counts.Running,
            ContainersStopped = counts.Total - counts.Running,
            Images = counts.Images,
            Driver = "overlay",
            DockerRootDir = options.Root,
            Plugins = new PluginsInfo
            {
                Network = [.. drivers.NetworkDrivers.Select(d => d.Type).Order(StringComparer.Ordinal)],
                Log = ["json-file"],
            },
            SystemTime = DateTimeOffset.Now.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffffzzz", System.Globalization.CultureInfo.InvariantCulture),
            LoggingDriver = "json-file",
            KernelVersion = SystemFacts.KernelVersion,
            OperatingSystem = SystemFacts.OperatingSystem,
            OsType = "linux",
            Architecture = RuntimeInformation.OSArchitecture == Architecture.X64 ? "x86_64" : SystemFacts.Arch,
            NCpu = Environment.ProcessorCount,
            MemTotal = SystemFacts.MemTotal,
            Name = Environment.MachineName,
            ServerVersion = SystemFacts.Version,
        };
        if (await services.GetRequiredService<INetworkController>().GetClusterStoreStatusAsync(context.RequestAborted).ConfigureAwait(false) is { } cluster)
        {
            info.ClusterStore = cluster.Address;
            info.ClusterStoreStatus = new ClusterStoreInfo
            {
                Address = cluster.Address,
                State = cluster.Connected ? "connected" : "unavailable",
                Error = cluster.Error,
                Revision = cluster.Revision,
                GlobalNetworks = cluster.Networks,
                Node = cluster.Node,
            };
        }
        await HttpJson.WriteAsync(context, info, ApiJsonContext.Default.InfoResponse).ConfigureAwait(false);
    }
}
