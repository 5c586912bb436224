using System.CommandLine;
using System.CommandLine.Invocation;
using Netstack.Cli.Commands.Containers;
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
    public static Task<int> RunAsync(string[] args, InvocationConfiguration? configuration = null, CancellationToken ct = default)
    {
        var context = new CliContext();
        var root = BuildRoot(context);
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
        BuildRoot(context).Parse(RunArguments.Normalize(args));

    public static RootCommand BuildRoot(CliContext context)
    {
        var root = new RootCommand("netstack: container networks, sandboxes and containers, driven through netstackd")
        {
            context.HostOption,
            NetworkCommand.Build(context),
            SandboxCommand.Build(context),
            RunCommand.Build(context),
            PsCommand.Build(context),
            ExecCommand.Build(context),
            LogsCommand.Build(context),
            StopCommand.Build(context),
            KillCommand.Build(context),
            RmCommand.Build(context),
            InspectCommand.Build(context),
            ImageCommand.Build(context),
            NodeCommand.Build(context),
            VersionCommand.Build(context),
        };
        return root;
    }
}
