using System.CommandLine;
using Netstack.Cli;

namespace Netstack.Api.Tests.Cli;

/// <summary>Runs the netstack CLI in-process and captures what it prints.</summary>
internal static class CliRunner
{
    public static Task<(int Exit, string Out, string Err)> RunAsync(params string[] args) => RunAsync(blockingIo: false, args);

    /// <summary>With <paramref name="blockingIo"/> as the netstack process itself runs (blocking socket calls).</summary>
    public static async Task<(int Exit, string Out, string Err)> RunAsync(bool blockingIo, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await CliApp.RunAsync(args, new InvocationConfiguration { Output = output, Error = error }, blockingIo);
        return (exit, output.ToString(), error.ToString());
    }
}
