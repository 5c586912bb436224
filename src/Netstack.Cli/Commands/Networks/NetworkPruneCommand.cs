using System.CommandLine;
using Netstack.Cli.Parsing;

namespace Netstack.Cli.Commands.Networks;

/// <summary><c>network prune [-f] [--filter]...</c>: removes networks no endpoint uses.</summary>
internal static class NetworkPruneCommand
{
    internal static readonly Option<bool> Force = new("--force", "-f") { Description = "Do not prompt for confirmation" };
    internal static readonly Option<string[]> Filter = new Option<string[]>("--filter") { Description = "Filters (label=KEY[=VALUE])" }.Each(Validate.KeyValue);

    public static Command Build(CliContext context)
    {
        var command = new Command("prune", "Remove all unused networks") { Force, Filter };
        CommandAction.Set(command, context, async (parse, client, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            if (!parse.GetValue(Force))
            {
                await output.WriteAsync("WARNING! This will remove all custom networks not used by at least one container or sandbox.\nAre you sure you want to continue? [y/N] ").ConfigureAwait(false);
                var answer = Console.In.ReadLine();
                if (answer is null || !answer.Trim().StartsWith('y'))
                {
                    return 0;
                }
            }
            var filters = new Api.Filters.FilterSet();
            foreach (var flag in parse.GetValue(Filter) ?? [])
            {
                filters.AddFlag(flag);
            }
            var pruned = await client.PruneNetworksAsync(filters, ct).ConfigureAwait(false);
            if (pruned.NetworksDeleted.Count > 0)
            {
                await output.WriteLineAsync("Deleted Networks:").ConfigureAwait(false);
                foreach (var name in pruned.NetworksDeleted)
                {
                    await output.WriteLineAsync(name).ConfigureAwait(false);
                }
            }
            return 0;
        });
        return command;
    }
}
