using System.CommandLine;
using Microsoft.Extensions.Options;
using Netstack.Daemon.Hosting;

namespace Netstack.Daemon.Gossip;

/// <summary>The cluster's flags and services, hooked into netstackd's command line and composition root.</summary>
internal static class GossipRegistration
{
    /// <summary>Adds <c>--advertise-addr</c>, <c>--listen-addr</c>, <c>--join</c>, <c>--gossip-key-file</c> and <c>--node-name</c>.</summary>
    public static void AddFlags(DaemonCommandLine commandLine)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        commandLine.Flag(new Option<string?>("--advertise-addr") { Description = "Address peers reach this daemon's gossip on, IP[:PORT] (turns gossip on; default port 7946)" });
        commandLine.Flag(new Option<string?>("--listen-addr") { Description = "Address the gossip UDP/TCP sockets bind to, IP[:PORT] (default 0.0.0.0:7946)" });
        commandLine.ListFlag(new Option<string[]>("--join") { Description = "Peer to join, IP[:PORT]; comma-separated or repeated", AllowMultipleArgumentsPerToken = false });
        commandLine.Flag(new Option<string?>("--gossip-key-file") { Description = "File with the cluster's AES key in base64 (16, 24 or 32 bytes); all nodes need the same key" });
        commandLine.Flag(new Option<string?>("--node-name") { Description = "Unique name of this node in the cluster (default the advertise address)" });
    }

    /// <summary>The options (validated at start) and the hosted service that runs the gossip node.</summary>
    public static IServiceCollection AddGossip(this IServiceCollection services)
    {
        services.AddOptions<GossipDaemonOptions>().BindConfiguration("").ValidateOnStart();
        services.AddSingleton<IValidateOptions<GossipDaemonOptions>, GossipOptionsValidator>();
        // The drivers' peer tables ride on gossip: kept locally until the node runs, or for ever when gossip is off.
        services.AddSingleton(sp => new GossipDriverTables(sp.GetService<Netstack.Controller.ControllerOptions>()?.NodeName ?? System.Net.Dns.GetHostName()));
        services.AddSingleton<Netstack.Core.Drivers.IDriverTables>(sp => sp.GetRequiredService<GossipDriverTables>());
        services.AddSingleton<GossipService>();
        services.AddHostedService(sp => sp.GetRequiredService<GossipService>());
        return services;
    }
}
