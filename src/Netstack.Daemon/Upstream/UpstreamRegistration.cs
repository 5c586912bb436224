using System.CommandLine;
using Microsoft.Extensions.Options;
using Netstack.Daemon.Hosting;
using Netstack.Linux;
using Netstack.Upstream.Mapping;

namespace Netstack.Daemon.Upstream;

/// <summary>Upstream port mapping's flags and services, hooked into netstackd's command line and composition root.</summary>
internal static class UpstreamRegistration
{
    public static void AddFlags(DaemonCommandLine commandLine)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        commandLine.Flag(new Option<string?>("--upstream-portmap") { Description = "Map published ports of containers labelled netstack.upstream-portmap=true on the upstream router: auto, upnp, natpmp, pcp or off (default off)" });
        commandLine.Flag(new Option<string?>("--upstream-portmap-lease") { Description = "Lease asked of the router, in seconds (default 3600; renewed at half)" });
        commandLine.Flag(new Option<string?>("--upstream-portmap-conflict") { Description = "When the external port is taken: next (the next free one, default) or fail" });
        commandLine.Flag(new Option<string?>("--upstream-portmap-gateway") { Description = "The router to ask (default: the default route's gateway)" });
    }

    public static IServiceCollection AddUpstreamPortMapping(this IServiceCollection services)
    {
        services.AddOptions<UpstreamOptions>().BindConfiguration("").ValidateOnStart();
        services.AddSingleton<IValidateOptions<UpstreamOptions>, UpstreamOptionsValidator>();
        services.AddSingleton(sp =>
        {
            var upstream = sp.GetRequiredService<IOptions<UpstreamOptions>>().Value;
            var daemon = sp.GetRequiredService<IOptions<DaemonOptions>>().Value;
            var options = new PortMapperOptions
            {
                Mode = upstream.ParsedMode(),
                Lease = upstream.ParsedLease(),
                Conflict = upstream.ParsedConflict(),
                StateFile = Path.Combine(daemon.Root, "upstream", "mappings.json"),
            };
            var time = sp.GetRequiredService<TimeProvider>();
            return new PortMapper(options, UpstreamService.Discoverer(upstream, options, sp.GetService<NetlinkHandle>(), time), time, sp.GetService<ILogger<PortMapper>>());
        });
        services.AddHostedService<UpstreamService>();
        return services;
    }
}
