using System.CommandLine;
using Microsoft.Extensions.Options;
using Netstack.Daemon.Hosting;
using Netstack.Drivers.Remote;

namespace Netstack.Daemon.RemoteDrivers;

/// <summary>Discovery of third-party remote-driver plugins, hooked into netstackd's command line and composition root.</summary>
internal static class RemoteDriverRegistration
{
    /// <summary>Adds <c>--plugin-socket-dir</c> and <c>--plugin-spec-dir</c>.</summary>
    public static void AddFlags(DaemonCommandLine commandLine)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        commandLine.ListFlag(new Option<string[]>("--plugin-socket-dir")
        {
            Description = $"Directory searched for remote-driver plugin sockets NAME.sock or NAME/NAME.sock (repeatable; default {RemoteDriverOptions.DefaultSocketDirectory})",
        });
        commandLine.ListFlag(new Option<string[]>("--plugin-spec-dir")
        {
            Description = "Directory searched for plugin NAME.spec and NAME.json files (repeatable; default /etc/docker/plugins and /usr/lib/docker/plugins)",
        });
    }

    /// <summary>The remote drivers, searching the directories of the flags (validated at start), else Docker's.</summary>
    public static IServiceCollection AddRemoteDriverPlugins(this IServiceCollection services)
    {
        services.AddOptions<RemoteDriverDaemonOptions>().BindConfiguration("")
            .Validate(o => o.SocketDirectories.Concat(o.SpecDirectories).All(Path.IsPathFullyQualified),
                "plugin-socket-dir and plugin-spec-dir must be absolute paths")
            .ValidateOnStart();
        services.AddRemoteDrivers((sp, options) =>
        {
            var flags = sp.GetRequiredService<IOptions<RemoteDriverDaemonOptions>>().Value;
            Replace(options.SocketDirectories, flags.SocketDirectories);
            Replace(options.SpecDirectories, flags.SpecDirectories);
        });
        return services;
    }

    private static void Replace(IList<string> defaults, string[] given)
    {
        if (given.Length == 0)
        {
            return;
        }
        defaults.Clear();
        foreach (var dir in given)
        {
            defaults.Add(dir);
        }
    }
}
