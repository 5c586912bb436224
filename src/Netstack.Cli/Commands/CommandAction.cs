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

    /// <summary>How many requests a bulk verb keeps in flight (the docker CLI runs its rm, stop and kill in parallel too).</summary>
    internal const int BulkParallelism = 64;

    /// <summary>
    /// <see cref="ForEachAsync"/> with up to <see cref="BulkParallelism"/> requests in flight, so
    /// <c>rm -f</c> of 150 containers is not 150 round trips one after the other and the daemon can
    /// tear them down side by side. Names and errors are printed in the order given, as the
    /// sequential form prints them; a failure to reach the daemon ends the command as it does there.
    /// </summary>
    public static async Task<int> ForEachConcurrentAsync(ParseResult parse, IReadOnlyList<string> names, Func<string, Task> each)
    {
        if (names.Count <= 1)
        {
            return await ForEachAsync(parse, names, each).ConfigureAwait(false);
        }
        // The CLI's client blocks on its sockets (see CliContext): each request holds a pool thread
        // for its round trip, so the pool must have that many at once instead of growing slowly.
        ThreadPool.GetMinThreads(out var workers, out var io);
        if (workers < BulkParallelism)
        {
            ThreadPool.SetMinThreads(BulkParallelism, io);
        }
        using var gate = new SemaphoreSlim(BulkParallelism);
        var runs = names.Select(name => Task.Run(async () =>
        {
            await gate.WaitAsync().ConfigureAwait(false);
            try
            {
                await each(name).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        })).ToList();
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        var failed = false;
        Exception? fatal = null;
        for (var i = 0; i < names.Count; i++)
        {
            try
            {
                await runs[i].ConfigureAwait(false);
                await output.WriteLineAsync(names[i]).ConfigureAwait(false);
            }
            catch (ApiException e) when (e.StatusCode is not null)
            {
                await error.WriteLineAsync("Error response from daemon: " + e.Message).ConfigureAwait(false);
                failed = true;
            }
            catch (Exception e) when (fatal is null)
            {
                fatal = e;
            }
            catch (Exception)
            {
                // One failure to reach the daemon is reported; the others say the same.
            }
        }
        if (fatal is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(fatal);
        }
        return failed ? 1 : 0;
    }
}
