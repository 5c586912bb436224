using System.CommandLine;

namespace Netstack.Cli.Commands.Containers;

/// <summary><c>kill [-s SIGNAL] CONTAINER...</c>.</summary>
internal static class KillCommand
{
    internal static readonly Option<string?> Signal = new("--signal", "-s") { Description = "Signal to send (default KILL)" };
    internal static readonly Argument<string[]> Containers = new("CONTAINER") { Arity = ArgumentArity.OneOrMore };

    public static Command Build(CliContext context)
    {
        var command = new Command("kill", "Kill one or more running containers") { Signal, Containers };
        CommandAction.Set(command, context, (parse, client, ct) =>
            CommandAction.ForEachConcurrentAsync(parse, parse.GetRequiredValue(Containers), id => client.KillContainerAsync(id, parse.GetValue(Signal), ct)));
        return command;
    }
}
