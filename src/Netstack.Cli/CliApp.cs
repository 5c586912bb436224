using System.CommandLine;
using System.CommandLine.Invocation;
using Netstack.Cli.Commands.Containers;
using Netstack.Cli.Commands.Debug;
using Netstack.Cli.Commands.Images;
using Netstack.Cli.Commands.Networks;
using Netstack.Cli.Commands.Nodes;
using Netstack.Cli.Commands.Sandboxes;
using Netstack.Cli.Commands.Engine;
using Netstack.Cli.Diagnostics;
using Netstack.Cli.Parsing;

namespace Netstack.Cli;

/// <summary>The <c>netstack</c> command tree and its entry point.</summary>
internal static class CliApp
{
    /// <param name="args">The command line.</param>
    /// <param name="configuration">Output and error writers (tests capture them); null for the console.</param>
    /// <param name="blockingIo">Blocking socket calls to the daemon: the CLI process's own setting (see <see cref="CliContext"/>).</param>
    /// <param name="ct">Cancels the command.</param>
    public static Task<int> RunAsync(string[] args, InvocationConfiguration? configuration = null, bool blockingIo = false, CancellationToken ct = default)
    {
        var context = new CliContext(blockingIo: blockingIo);
        // Only the named command's subtree is built when the verb is known: building all of them costs a
        // fresh process ~10 ms (type loading and JIT of every option), and parsing, help and errors of
        // that verb are the same either way. No verb, or an unknown one, gets the whole tree.
        var root = BuildRoot(context, RunArguments.Verb(args));
        TimingTrace.Mark("tree-built");
        var parse = root.Parse(RunArguments.Normalize(args));
        TimingTrace.Mark("parsed");
        if (parse.Action is ParseErrorAction errorAction)
        {
            // docker prints the error alone, not the whole help text.
            errorAction.ShowHelp = false;
        }
        return parse.InvokeAsync(configuration, ct);
    }

    /// <summary>Parses without running, for tests of flag handling.</summary>
    public static ParseResult Parse(CliContext context, params string[] args) =>
        BuildRoot(context, RunArguments.Verb(args)).Parse(RunArguments.Normalize(args));

    // The root's commands by name, built on demand.
    private static readonly (string Name, Func<CliContext, Command> Build)[] Commands =
    [
        ("network", NetworkCommand.Build),
        ("sandbox", SandboxCommand.Build),
        ("run", RunCommand.Build),
        ("ps", PsCommand.Build),
        ("exec", ExecCommand.Build),
        ("attach", AttachCommand.Build),
        ("logs", LogsCommand.Build),
        ("stats", StatsCommand.Build),
        ("start", StartCommand.Build),
        ("stop", StopCommand.Build),
        ("restart", RestartCommand.Build),
        ("kill", KillCommand.Build),
        ("rm", RmCommand.Build),
        ("inspect", InspectCommand.Build),
        ("port", PortCommand.Build),
        ("image", ImageCommand.Build),
        ("node", NodeCommand.Build),
        ("debug", DebugCommand.Build),
        ("version", VersionCommand.Build),
        ("info", InfoCommand.Build),
    ];

    /// <summary>The command tree; with <paramref name="only"/> naming one of the root's commands, just that one.</summary>
    public static RootCommand BuildRoot(CliContext context, string? only = null)
    {
        var wanted = only is not null && Array.Exists(Commands, c => c.Name == only) ? only : null;
        var root = new RootCommand("netstack: container networks, sandboxes and containers, driven through netstackd")
        {
            context.HostOption,
        };
        foreach (var (name, build) in Commands)
        {
            if (wanted is null || name == wanted)
            {
                root.Subcommands.Add(build(context));
            }
        }
        return root;
    }
}
