using System.CommandLine;
using System.Text.Json;
using Netstack.Api.Client;
using Netstack.Api.Contracts.Networks;
using Netstack.Api.Serialization;
using Netstack.Cli.Parsing;

namespace Netstack.Cli.Commands.Networks;

/// <summary><c>network inspect NAME... [--format json]</c>: a JSON array, as docker prints it.</summary>
internal static class NetworkInspectCommand
{
    internal static readonly Option<string> Format = new Option<string>("--format") { Description = "json (the only format)", DefaultValueFactory = _ => "json" }
        .Each(v => v == "json" ? null : "expected json");

    internal static readonly Argument<string[]> Names = new("NETWORK") { Arity = ArgumentArity.OneOrMore };

    public static Command Build(CliContext context)
    {
        var command = new Command("inspect", "Display detailed information on one or more networks") { Format, Names };
        CommandAction.Set(command, context, async (parse, client, ct) =>
        {
            var found = new List<NetworkResource>();
            var failed = false;
            foreach (var name in parse.GetRequiredValue(Names))
            {
                try
                {
                    found.Add(await client.InspectNetworkAsync(name, ct).ConfigureAwait(false));
                }
                catch (ApiException e) when (e.StatusCode is not null)
                {
                    await parse.InvocationConfiguration.Error.WriteLineAsync("Error response from daemon: " + e.Message).ConfigureAwait(false);
                    failed = true;
                }
            }
            await parse.InvocationConfiguration.Output.WriteLineAsync(
                JsonSerializer.Serialize(found, ApiJson.Info<List<NetworkResource>>(ApiJson.Indented))).ConfigureAwait(false);
            return failed ? 1 : 0;
        });
        return command;
    }
}
