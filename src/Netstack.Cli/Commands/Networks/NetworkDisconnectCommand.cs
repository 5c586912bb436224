using System.CommandLine;
using Netstack.Api.Contracts.Networks;

namespace Netstack.Cli.Commands.Networks;

/// <summary><c>network disconnect [-f] NETWORK CONTAINER|SANDBOX</c>.</summary>
internal static class NetworkDisconnectCommand
{
    internal static readonly Option<bool> Force = new("--force", "-f") { Description = "Force the container to disconnect from a network" };
    internal static readonly Argument<string> Network = new("NETWORK");
    internal static readonly Argument<string> Target = new("CONTAINER") { Description = "Container or sandbox name or id" };

    public static Command Build(CliContext context)
    {
        var command = new Command("disconnect", "Disconnect a container or sandbox from a network") { Force, Network, Target };
        CommandAction.Set(command, context, async (parse, client, ct) =>
        {
            await client.DisconnectNetworkAsync(parse.GetRequiredValue(Network), new NetworkDisconnectRequest
            {
                Container = parse.GetRequiredValue(Target),
                Force = parse.GetValue(Force),
            }, ct).ConfigureAwait(false);
            return 0;
        });
        return command;
    }
}
