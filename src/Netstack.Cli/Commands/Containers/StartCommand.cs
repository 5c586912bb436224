using System.CommandLine;

namespace Netstack.Cli.Commands.Containers;

/// <summary><c>start CONTAINER...</c>: starts stopped containers again, on the networks they were created with.</summary>
internal static class StartCommand
{
    internal static readonly Argument<string[]> Containers = new("CONTAINER") { Arity = ArgumentArity.OneOrMore };

    public static Command Build(CliContext context)
    {
        var command = new Command("start", "Start one or more stopped containers") { Containers };
        CommandAction.Set(command, context, (parse, client, ct) =>
            CommandAction.ForEachAsync(parse, parse.GetRequiredValue(Containers), id => client.StartContainerAsync(id, ct)));
        return command;
    }
}
