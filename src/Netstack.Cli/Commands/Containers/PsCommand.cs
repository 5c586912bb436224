using System.CommandLine;
using System.Text.Json;
using Netstack.Api.Serialization;
using Netstack.Cli.Output;
using Netstack.Cli.Parsing;

namespace Netstack.Cli.Commands.Containers;

/// <summary><c>ps [-a] [-q] [--format json|table] [--no-trunc]</c>.</summary>
internal static class PsCommand
{
    internal static readonly Option<bool> All = new("--all", "-a") { Description = "Show all containers (default shows just running)" };
    internal static readonly Option<bool> Quiet = new("--quiet", "-q") { Description = "Only display container ids" };
    internal static readonly Option<bool> NoTrunc = new("--no-trunc") { Description = "Do not truncate output" };
    internal static readonly Option<string> Format = new Option<string>("--format") { Description = "table or json (one object per line)", DefaultValueFactory = _ => "table" }.Each(Validate.Format);

    public static Command Build(CliContext context)
    {
        var command = new Command("ps", "List containers") { All, Quiet, NoTrunc, Format };
        CommandAction.Set(command, context, async (parse, client, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var containers = await client.ListContainersAsync(parse.GetValue(All), ct).ConfigureAwait(false);
            containers.Sort((a, b) => b.Created.CompareTo(a.Created));
            var full = parse.GetValue(NoTrunc);
            if (parse.GetValue(Quiet))
            {
                foreach (var c in containers)
                {
                    await output.WriteLineAsync(full ? c.Id : ShortId.Of(c.Id)).ConfigureAwait(false);
                }
                return 0;
            }
            if (parse.GetValue(Format) == "json")
            {
                foreach (var c in containers)
                {
                    await output.WriteLineAsync(JsonSerializer.Serialize(c, ApiJsonContext.Default.ContainerSummary)).ConfigureAwait(false);
                }
                return 0;
            }
            var now = DateTimeOffset.UtcNow;
            var table = new TableWriter("CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES");
            foreach (var c in containers)
            {
                table.Add(
                    full ? c.Id : ShortId.Of(c.Id),
                    c.Image,
                    full ? "\"" + c.Command + "\"" : RunCommand.ShortCommand(c.Command),
                    HumanTime.Ago(DateTimeOffset.FromUnixTimeSeconds(c.Created), now),
                    c.Status,
                    RunCommand.DescribePorts(c.Ports),
                    string.Join(",", c.Names.Select(n => n.TrimStart('/'))));
            }
            table.WriteTo(output);
            return 0;
        });
        return command;
    }
}
