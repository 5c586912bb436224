using System.CommandLine;
using System.Globalization;

namespace Netstack.Cli.Commands.Engine;

/// <summary><c>netstack info</c>: the daemon's facts, the drivers it offers and its cluster store.</summary>
internal static class InfoCommand
{
    public static Command Build(CliContext context)
    {
        var command = new Command("info", "Show the daemon's state, its drivers and its cluster store");
        CommandAction.Set(command, context, async (parse, client, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var info = await client.InfoAsync(ct).ConfigureAwait(false);
            var lines = new List<string>
            {
                "Server:",
                $" Containers: {info.Containers}",
                $"  Running: {info.ContainersRunning}",
                $"  Stopped: {info.ContainersStopped}",
                $" Images: {info.Images}",
                $" Server Version: {info.ServerVersion}",
                $" Network drivers: {string.Join(' ', info.Plugins.Network)}",
                $" Root Dir: {info.DockerRootDir}",
                $" Kernel Version: {info.KernelVersion}",
                $" Operating System: {info.OperatingSystem}",
                $" CPUs: {info.NCpu.ToString(CultureInfo.InvariantCulture)}",
                $" Name: {info.Name}",
                $" ID: {info.Id}",
            };
            if (info.ClusterStoreStatus is { } cluster)
            {
                lines.Add($" Cluster Store: {cluster.Address}");
                lines.Add($"  State: {cluster.State}{(cluster.Error is { } e ? $" ({e})" : "")}");
                lines.Add($"  Node: {cluster.Node}");
                lines.Add($"  Global networks: {cluster.GlobalNetworks.ToString(CultureInfo.InvariantCulture)}");
                lines.Add($"  Revision: {cluster.Revision.ToString(CultureInfo.InvariantCulture)}");
            }
            else
            {
                lines.Add(" Cluster Store: none (single host)");
            }
            await output.WriteLineAsync(string.Join('\n', lines)).ConfigureAwait(false);
            return 0;
        });
        return command;
    }
}
