using System.CommandLine;

namespace Netstack.Cli.Commands.Containers;

/// <summary><c>logs [-f] CONTAINER</c>.</summary>
internal static class LogsCommand
{
    internal static readonly Option<bool> Follow = new("--follow", "-f") { Description = "Follow log output" };
    internal static readonly Argument<string> Container = new("CONTAINER");

    public static Command Build(CliContext context)
    {
        var command = new Command("logs", "Fetch the logs of a container") { Follow, Container };
        CommandAction.Set(command, context, async (parse, client, ct) =>
        {
            var stdout = new MemoryStream();
            var stderr = new MemoryStream();
            if (parse.GetValue(Follow))
            {
                // Following streams straight to the terminal.
                var outStream = Console.OpenStandardOutput();
                var errStream = Console.OpenStandardError();
                await using (outStream.ConfigureAwait(false))
                await using (errStream.ConfigureAwait(false))
                {
                    await client.LogsAsync(parse.GetRequiredValue(Container), follow: true, outStream, errStream, ct).ConfigureAwait(false);
                }
                return 0;
            }
            await client.LogsAsync(parse.GetRequiredValue(Container), follow: false, stdout, stderr, ct).ConfigureAwait(false);
            await parse.InvocationConfiguration.Output.WriteAsync(System.Text.Encoding.UTF8.GetString(stdout.ToArray())).ConfigureAwait(false);
            await parse.InvocationConfiguration.Error.WriteAsync(System.Text.Encoding.UTF8.GetString(stderr.ToArray())).ConfigureAwait(false);
            return 0;
        });
        return command;
    }
}
