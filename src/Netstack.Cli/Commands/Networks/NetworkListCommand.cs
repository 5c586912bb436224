using System.CommandLine;
using System.Text.Json;
using Netstack.Api.Contracts.Networks;
using Netstack.Api.Filters;
using Netstack.Api.Serialization;
using Netstack.Cli.Output;
using Netstack.Cli.Parsing;

namespace Netstack.Cli.Commands.Networks;

/// <summary><c>network ls [-q] [--filter KEY=VALUE]... [--format json|table] [--no-trunc]</c>.</summary>
internal static class NetworkListCommand
{
    internal static readonly Option<bool> Quiet = new("--quiet", "-q") { Description = "Only display network ids" };
    internal static readonly Option<string[]> Filter = new Option<string[]>("--filter", "-f") { Description = "Filter output (name, id, driver, label, type, scope)" }.Each(Validate.KeyValue);
    internal static readonly Option<string> Format = new Option<string>("--format") { Description = "table or json (one object per line)", DefaultValueFactory = _ => "table" }.Each(Validate.Format);
    internal static readonly Option<bool> NoTrunc = new("--no-trunc") { Description = "Do not truncate ids" };

    public static Command Build(CliContext context)
    {
        var command = new Command("ls", "List networks") { Quiet, Filter, Format, NoTrunc };
        command.Aliases.Add("list");
        CommandAction.Set(command, context, async (parse, client, ct) =>
        {
            var networks = await client.ListNetworksAsync(BuildFilters(parse), ct).ConfigureAwait(false);
            Write(parse, networks);
            return 0;
        });
        return command;
    }

    internal static FilterSet BuildFilters(ParseResult parse)
    {
        var filters = new FilterSet();
        foreach (var flag in parse.GetValue(Filter) ?? [])
        {
            filters.AddFlag(flag);
        }
        return filters;
    }

    internal static void Write(ParseResult parse, List<NetworkResource> networks)
    {
        var output = parse.InvocationConfiguration.Output;
        // docker lists networks by name.
        networks.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        var full = parse.GetValue(NoTrunc);
        if (parse.GetValue(Quiet))
        {
            foreach (var network in networks)
            {
                output.WriteLine(full ? network.Id : ShortId.Of(network.Id));
            }
            return;
        }
        if (parse.GetValue(Format) == "json")
        {
            foreach (var network in networks)
            {
                output.WriteLine(JsonSerializer.Serialize(network, ApiJsonContext.Default.NetworkResource));
            }
            return;
        }
        var table = new TableWriter("NETWORK ID", "NAME", "DRIVER", "SCOPE");
        foreach (var network in networks)
        {
            table.Add(full ? network.Id : ShortId.Of(network.Id), network.Name, network.Driver, network.Scope);
        }
        table.WriteTo(output);
    }
}
