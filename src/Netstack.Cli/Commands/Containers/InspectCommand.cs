using System.CommandLine;
using System.Net;
using System.Text;
using System.Text.Json;
using Netstack.Api.Client;
using Netstack.Api.Contracts.Containers;
using Netstack.Api.Contracts.Networks;
using Netstack.Api.Serialization;

namespace Netstack.Cli.Commands.Containers;

/// <summary><c>inspect NAME...</c>: containers, and networks when no container has the name, as a JSON array.</summary>
internal static class InspectCommand
{
    internal static readonly Argument<string[]> Names = new("NAME") { Arity = ArgumentArity.OneOrMore };

    public static Command Build(CliContext context)
    {
        var command = new Command("inspect", "Display detailed information on containers or networks") { Names };
        CommandAction.Set(command, context, async (parse, client, ct) =>
        {
            var items = new List<string>();
            var failed = false;
            foreach (var name in parse.GetRequiredValue(Names))
            {
                try
                {
                    var container = await client.InspectContainerAsync(name, ct).ConfigureAwait(false);
                    items.Add(JsonSerializer.Serialize(container, ApiJson.Info<ContainerInspect>(ApiJson.Indented)));
                    continue;
                }
                catch (ApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
                {
                    // Not a container: try a network of that name.
                }
                try
                {
                    var network = await client.InspectNetworkAsync(name, ct).ConfigureAwait(false);
                    items.Add(JsonSerializer.Serialize(network, ApiJson.Info<NetworkResource>(ApiJson.Indented)));
                }
                catch (ApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
                {
                    await parse.InvocationConfiguration.Error.WriteLineAsync($"Error: No such object: {name}").ConfigureAwait(false);
                    failed = true;
                }
            }
            var text = new StringBuilder("[");
            for (var i = 0; i < items.Count; i++)
            {
                text.Append(i == 0 ? "\n    " : ",\n    ").Append(items[i].Replace("\n", "\n    ", StringComparison.Ordinal));
            }
            text.Append(items.Count == 0 ? "]" : "\n]");
            await parse.InvocationConfiguration.Output.WriteLineAsync(text.ToString()).ConfigureAwait(false);
            return failed ? 1 : 0;
        });
        return command;
    }
}
