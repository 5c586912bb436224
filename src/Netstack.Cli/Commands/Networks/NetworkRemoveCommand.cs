using System.CommandLine;

namespace Netstack.Cli.Commands.Networks;

/// <summary><c>network rm NAME...</c>: removes each, reports each failure, exits 1 if any failed.</summary>
internal static class NetworkRemoveCommand
{
    internal static readonly Argument<string[]> Names = new("NETWORK") { Arity = ArgumentArity.OneOrMore };

    public static Command Build(CliContext context)
    {
        var command = new Command("rm", "Remove one or more networks") { Names };
        command.Aliases.Add("remove");
        CommandAction.Set(command, context, (parse, client, ct) =>
            CommandAction.ForEachAsync(parse, parse.GetRequiredValue(Names), name => client.RemoveNetworkAsync(name, ct)));
        return command;
    }
}
