using System.CommandLine;

namespace Netstack.Cli.Commands.Containers;

/// <summary><c>restart [-t SECONDS] CONTAINER...</c>: stop (if running), then start.</summary>
internal static class RestartCommand
{
    internal static readonly Option<int?> Time = new("--time", "-t") { Description = "Seconds to wait before killing the container" };
    internal static readonly Argument<string[]> Containers = new("CONTAINER") { Arity = ArgumentArity.OneOrMore };

    public static Command Build(CliContext context)
    {
        var command = new Command("restart", "Restart one or more containers") { Time, Containers };
        CommandAction.Set(command, context, (parse, client, ct) =>
            CommandAction.ForEachAsync(parse, parse.GetRequiredValue(Containers), async id =>
            {
                // Stopping a stopped container is not an error (Docker answers 304 Not Modified).
                await client.StopContainerAsync(id, parse.GetValue(Time), ct).ConfigureAwait(false);
                await client.StartContainerAsync(id, ct).ConfigureAwait(false);
            }));
        return command;
    }
}
