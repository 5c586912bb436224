using System.CommandLine;

namespace Netstack.Cli.Commands.Containers;

/// <summary><c>stop [-t SECONDS] CONTAINER...</c>.</summary>
internal static class StopCommand
{
    internal static readonly Option<int?> Time = new("--time", "-t") { Description = "Seconds to wait before killing the container" };
    internal static readonly Argument<string[]> Containers = new("CONTAINER") { Arity = ArgumentArity.OneOrMore };

    public static Command Build(CliContext context)
    {
        var command = new Command("stop", "Stop one or more running containers") { Time, Containers };
        CommandAction.Set(command, context, (parse, client, ct) =>
            CommandAction.ForEachConcurrentAsync(parse, parse.GetRequiredValue(Containers), id => client.StopContainerAsync(id, parse.GetValue(Time), ct)));
        return command;
    }
}
