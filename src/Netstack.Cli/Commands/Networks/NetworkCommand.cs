using System.CommandLine;

namespace Netstack.Cli.Commands.Networks;

/// <summary><c>netstack network ...</c>: the verbs and flags of <c>docker network</c>.</summary>
internal static class NetworkCommand
{
    public static Command Build(CliContext context) => new("network", "Manage networks")
    {
        NetworkCreateCommand.Build(context),
        NetworkListCommand.Build(context),
        NetworkInspectCommand.Build(context),
        NetworkConnectCommand.Build(context),
        NetworkDisconnectCommand.Build(context),
        NetworkRemoveCommand.Build(context),
        NetworkPruneCommand.Build(context),
    };
}
