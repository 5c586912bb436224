using System.CommandLine;

namespace Netstack.Cli.Commands.Containers;

/// <summary><c>rm [-f] CONTAINER...</c>; <c>-f</c> kills a running container first.</summary>
internal static class RmCommand
{
    internal static readonly Option<bool> Force = new("--force", "-f") { Description = "Force the removal of a running container" };
    internal static readonly Argument<string[]> Containers = new("CONTAINER") { Arity = ArgumentArity.OneOrMore };

    public static Command Build(CliContext context)
    {
        var command = new Command("rm", "Remove one or more containers") { Force, Containers };
        CommandAction.Set(command, context, (parse, client, ct) =>
            CommandAction.ForEachConcurrentAsync(parse, parse.GetRequiredValue(Containers), id => client.RemoveContainerAsync(id, parse.GetValue(Force), ct)));
        return command;
    }
}
