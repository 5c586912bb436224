using System.CommandLine;
using Netstack.Cli.Terminal;

namespace Netstack.Cli.Commands.Containers;

/// <summary>
/// <c>attach [--no-stdin] [--detach-keys KEYS] CONTAINER</c>: the running container's output from
/// now on, and our stdin to it when it was created with <c>-i</c> (raw, on a terminal, for a
/// <c>-t</c> container, resized with ours). ctrl-p ctrl-q detaches and leaves it running (exit 0);
/// otherwise the exit code is the container's.
/// </summary>
internal static class AttachCommand
{
    internal static readonly Option<bool> NoStdin = new("--no-stdin") { Description = "Do not send our stdin" };
    internal static readonly Option<string?> DetachKeys = new("--detach-keys") { Description = "Keys that detach (default ctrl-p,ctrl-q)" };
    internal static readonly Argument<string> Container = new("CONTAINER");

    public static Command Build(CliContext context)
    {
        var command = new Command("attach", "Attach to a running container's input and output") { NoStdin, DetachKeys, Container };
        CommandAction.Set(command, context, async (parse, client, ct) =>
        {
            var info = await client.InspectContainerAsync(parse.GetRequiredValue(Container), ct).ConfigureAwait(false);
            if (!info.State.Running)
            {
                throw new FormatException($"cannot attach to container {parse.GetRequiredValue(Container)}: it is not running (start it first)");
            }
            var tty = info.Config.Tty;
            var stdin = info.Config.OpenStdin && !parse.GetValue(NoStdin);
            if (tty && stdin && !LocalTerminal.StdinIsTerminal)
            {
                throw new FormatException("the input device is not a TTY: use --no-stdin, or run on a terminal");
            }
            var session = await client.AttachAsync(info.Id, stdin, parse.GetValue(DetachKeys), ct).ConfigureAwait(false);
            // The end of this run, with --rm too (then the container is gone when the session ends).
            using var waitCancel = CancellationTokenSource.CreateLinkedTokenSource(ct);
            // On a thread of its own: the CLI's client may use blocking sockets, and this answer comes at the exit.
            var wait = Task.Run(() => client.WaitContainerAsync(info.Id, info.HostConfig.AutoRemove ? "removed" : "next-exit", waitCancel.Token), ct);
            await using (session.ConfigureAwait(false))
            {
                await InteractiveSession.RunAsync(session, tty, stdin, tty ? (h, w) => client.ResizeContainerAsync(info.Id, h, w, ct) : null, ct).ConfigureAwait(false);
            }
            var code = await RunCommand.ExitCodeAfterSessionAsync(client, info.Id, wait, ct).ConfigureAwait(false);
            await waitCancel.CancelAsync().ConfigureAwait(false);
            return code;
        });
        return command;
    }
}
