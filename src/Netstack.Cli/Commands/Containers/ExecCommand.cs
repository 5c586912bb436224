using System.CommandLine;
using Netstack.Api.Contracts.Containers;

namespace Netstack.Cli.Commands.Containers;

/// <summary><c>exec [-e K=V]... [-w DIR] [-u USER] CONTAINER CMD...</c>: runs to completion, prints its output, exits with its status.</summary>
internal static class ExecCommand
{
    internal static readonly Option<string[]> Env = new("--env", "-e") { Description = "Environment variable KEY=VALUE" };
    internal static readonly Option<string?> Workdir = new("--workdir", "-w") { Description = "Working directory inside the container" };
    internal static readonly Option<string?> User = new("--user", "-u") { Description = "User (UID[:GID])" };
    internal static readonly Argument<string> Container = new("CONTAINER");
    internal static readonly Argument<string[]> Command = new("COMMAND") { Arity = ArgumentArity.OneOrMore };

    public static Command Build(CliContext context)
    {
        var command = new Command("exec", "Run a command in a running container") { Env, Workdir, User, Container, Command };
        CommandAction.Set(command, context, async (parse, client, ct) =>
        {
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
