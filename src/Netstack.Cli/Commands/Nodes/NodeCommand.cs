using System.CommandLine;
using System.Text.Json;
using Netstack.Api.Serialization;
using Netstack.Cli.Output;
using Netstack.Cli.Parsing;

namespace Netstack.Cli.Commands.Nodes;

/// <summary><c>netstack node ls</c>: the gossip cluster's members as the daemon sees them.</summary>
internal static class NodeCommand
{
    internal static readonly Option<string> Format = new Option<string>("--format") { Description = "table or json", DefaultValueFactory = _ => "table" }.Each(Validate.Format);

    public static Command Build(CliContext context) => new("node", "Inspect the cluster of netstack daemons (gossip membership)")
    {
        BuildList(context),
    };

    private static Command BuildList(CliContext context)
    {
        var command = new Command("ls", "List the cluster's nodes: name, address, state and since when") { Format };
        command.Aliases.Add("list");
        CommandAction.Set(command, context, async (parse, client, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var nodes = await client.ListNodesAsync(ct).ConfigureAwait(false);
            nodes.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
            if (parse.GetValue(Format) == "json")
            {
                // One object per line, as the other ls commands and docker's --format json print.
                foreach (var node in nodes)
                {
                    await output.WriteLineAsync(JsonSerializer.Serialize(node, ApiJsonContext.Default.NodeResource)).ConfigureAwait(false);
                }
                return 0;
            }
            var now = DateTimeOffset.UtcNow;
            var table = new TableWriter("NAME", "ADDRESS", "STATE", "SINCE");
            foreach (var node in nodes)
            {
                table.Add(node.Name, node.Address, node.State, HumanTime.Ago(node.Since, now));
            }
            table.WriteTo(output);
            return 0;
        });
        return command;
    }
}
