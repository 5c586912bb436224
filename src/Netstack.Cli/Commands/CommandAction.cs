using System.CommandLine;
using Netstack.Api.Client;
using Netstack.Cli.Diagnostics;

namespace Netstack.Cli.Commands;

/// <summary>
/// Runs a command's body with the daemon client and turns failures into docker-like messages on
/// stderr and exit code 1: daemon answers as "Error response from daemon: ...", bad flag values
/// found after parsing as "netstack: ...".
/// </summary>
internal static class CommandAction
{
    public static void Set(Command command, CliContext context, Func<ParseResult, ApiClient, CancellationToken, Task<int>> body)
    {
        command.SetAction(async (parse, ct) =>
        {
            TimingTrace.Mark("action");
            var error = parse.InvocationConfiguration.Error;
            try
            {
                using var client = context.Client(parse);
                TimingTrace.Mark("client-made");
                return await body(parse, client, ct).ConfigureAwait(false);
            }
            catch (ApiException e) when (e.StatusCode is null)
            {
                await error.WriteLineAsync(e.Message).ConfigureAwait(false);
                return 1;
            }
            catch (ApiException e)
            {
                await error.WriteLineAsync("Error response from daemon: " + e.Message).ConfigureAwait(false);
                return 1;
            }
            catch (FormatException e)
            {
                await error.WriteLineAsync("netstack: " + e.Message).ConfigureAwait(false);
                return 1;
            }
            catch (IOException e)
            {
                await error.WriteLineAsync("netstack: " + e.Message).ConfigureAwait(false);
                return 1;
            }
        });
    }

    /// <summary>Applies <paramref name="each"/> to every name, reporting each failure and going on, as <c>docker rm a b</c> does.</summary>
    public static async Task<int> ForEachAsync(ParseResult parse, IEnumerable<string> names, Func<string, Task> each)
    {
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        var failed = false;
        foreach (var name in names)
        {
            try
            {
                await each(name).ConfigureAwait(false);
                await output.WriteLineAsync(name).ConfigureAwait(false);
            }
            catch (ApiException e) when (e.StatusCode is not null)
            {
                await error.WriteLineAsync("Error response from daemon: " + e.Message).ConfigureAwait(false);
                failed = true;
            }
        }
        return failed ? 1 : 0;
    }
}
