using System.CommandLine;
using Netstack.Cli;
using Netstack.Cli.Parsing;
using Xunit;

namespace Netstack.Api.Tests.Cli;

/// <summary>The CLI builds only the named command's subtree; what the user sees must not depend on that.</summary>
public sealed class CommandTreeTests
{
    [Theory]
    [InlineData(new[] { "run", "-d", "busybox" }, "run")]
    [InlineData(new[] { "-H", "unix:///x.sock", "network", "ls" }, "network")]
    [InlineData(new[] { "--host", "unix:///x.sock", "-d", "ps" }, "ps")]
    [InlineData(new[] { "--help" }, null)]
    [InlineData(new string[0], null)]
    public void Verb_IsTheFirstPositionalSkippingHost(string[] args, string? verb)
    {
        Assert.Equal(verb, RunArguments.Verb(args));
    }

    [Fact]
    public void KnownVerb_BuildsOnlyThatCommand_UnknownOrNone_BuildsAll()
    {
        var context = new CliContext(_ => null);

        var run = CliApp.BuildRoot(context, "run");
        var unknown = CliApp.BuildRoot(context, "rnu");
        var all = CliApp.BuildRoot(context);

        Assert.Equal(["run"], run.Subcommands.Select(c => c.Name));
        Assert.Equal(all.Subcommands.Select(c => c.Name), unknown.Subcommands.Select(c => c.Name));
        Assert.Equal(20, all.Subcommands.Count);
        Assert.Contains(context.HostOption, run.Options);
    }

    [Theory]
    [InlineData("run", "--ip", "10.0.0.5")]
    [InlineData("run", "-p", "99999:80", "busybox")]
    [InlineData("network", "create", "--subnet", "nonsense", "web")]
    [InlineData("rnu", "busybox")]
    [InlineData("ps", "--nosuchflag")]
    public async Task Errors_AreTheSameWithTheWholeTree(params string[] args)
    {
        var lazy = await RunAsync(args, (ctx, a) => CliApp.BuildRoot(ctx, RunArguments.Verb(a)));
        var whole = await RunAsync(args, (ctx, _) => CliApp.BuildRoot(ctx));

        Assert.NotEqual(0, lazy.Exit);
        Assert.Equal(whole, lazy);
    }

    private static async Task<(int Exit, string Out, string Err)> RunAsync(string[] args, Func<CliContext, string[], RootCommand> build)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var context = new CliContext(_ => null);
        var parse = build(context, args).Parse(RunArguments.Normalize(args));
        var exit = await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }
}
