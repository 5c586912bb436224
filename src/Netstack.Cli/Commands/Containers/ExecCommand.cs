using System.CommandLine;
using Netstack.Api.Contracts.Containers;
using Netstack.Cli.Terminal;

namespace Netstack.Cli.Commands.Containers;

/// <summary>
/// <c>exec [-i] [-t] [-e K=V]... [-w DIR] [-u USER] CONTAINER CMD...</c>: runs to completion, prints
/// its output, exits with its status. With <c>-t</c> it runs on a pseudo-terminal, live, with our
/// terminal in raw mode (and our keys sent with <c>-i</c>). With <c>-i</c> alone our stdin is its
/// stdin (our EOF is its EOF) and its stdout and stderr come live to ours, apart.
/// </summary>
internal static class ExecCommand
{
    internal static readonly Option<bool> Interactive = new("--interactive", "-i") { Description = "Send our stdin to the process" };
    internal static readonly Option<bool> Tty = new("--tty", "-t") { Description = "Run the process on a pseudo-terminal" };
    internal static readonly Option<string[]> Env = new("--env", "-e") { Description = "Environment variable KEY=VALUE" };
    internal static readonly Option<string?> Workdir = new("--workdir", "-w") { Description = "Working directory inside the container" };
    internal static readonly Option<string?> User = new("--user", "-u") { Description = "User (UID[:GID])" };
    internal static readonly Argument<string> Container = new("CONTAINER");
    internal static readonly Argument<string[]> Command = new("COMMAND") { Arity = ArgumentArity.OneOrMore };

    public static Command Build(CliContext context)
    {
        var command = new Command("exec", "Run a command in a running container") { Interactive, Tty, Env, Workdir, User, Container, Command };
        CommandAction.Set(command, context, async (parse, client, ct) =>
        {
            var tty = parse.GetValue(Tty);
            var interactive = parse.GetValue(Interactive);
            if (tty || interactive)
            {
                if (tty && interactive && !LocalTerminal.StdinIsTerminal)
                {
                    throw new FormatException("the input device is not a TTY: drop -t, or run on a terminal");
                }
                var exec = await client.CreateExecAsync(parse.GetRequiredValue(Container), new ExecConfig
                {
                    Tty = tty,
                    AttachStdin = interactive,
                    AttachStdout = true,
                    AttachStderr = true,
                    Cmd = [.. parse.GetRequiredValue(Command)],
                    Env = RunCommand.BuildEnv(parse.GetValue(Env) ?? [], context.Environment),
                    WorkingDir = parse.GetValue(Workdir),
                    User = parse.GetValue(User),
                }, ct).ConfigureAwait(false);
                var session = await client.StartExecAsync(exec.Id, ct).ConfigureAwait(false);
                await using (session.ConfigureAwait(false))
                {
                    await InteractiveSession.RunAsync(session, tty, interactive, tty ? (h, w) => client.ResizeExecAsync(exec.Id, h, w, ct) : null, ct).ConfigureAwait(false);
                }
                var inspect = await client.InspectExecAsync(exec.Id, ct).ConfigureAwait(false);
                return inspect.Running ? 0 : inspect.ExitCode;
            }
            var result = await client.ExecAsync(parse.GetRequiredValue(Container), new ContainerExecRequest
            {
                Cmd = [.. parse.GetRequiredValue(Command)],
                Env = RunCommand.BuildEnv(parse.GetValue(Env) ?? [], context.Environment),
                WorkingDir = parse.GetValue(Workdir),
                User = parse.GetValue(User),
            }, ct).ConfigureAwait(false);
            await parse.InvocationConfiguration.Output.WriteAsync(result.Stdout).ConfigureAwait(false);
            await parse.InvocationConfiguration.Error.WriteAsync(result.Stderr).ConfigureAwait(false);
            return result.ExitCode;
        });
        return command;
    }
}
