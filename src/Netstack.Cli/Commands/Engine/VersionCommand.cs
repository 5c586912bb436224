using System.CommandLine;
using System.Reflection;
using Netstack.Api.Client;

namespace Netstack.Cli.Commands.Engine;

/// <summary><c>netstack version</c>: this client's version and the daemon's.</summary>
internal static class VersionCommand
{
    public static Command Build(CliContext context)
    {
        var command = new Command("version", "Show the client and daemon versions");
        CommandAction.Set(command, context, async (parse, client, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var mine = typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
            await output.WriteLineAsync($"Client:\n Version:      {mine}\n API version:  {ApiClient.ApiVersion}\n").ConfigureAwait(false);
            var server = await client.VersionAsync(ct).ConfigureAwait(false);
            await output.WriteLineAsync($"Server: {server.Platform.Name}\n Version:      {server.Version}\n API version:  {server.ApiVersion} (minimum version {server.MinApiVersion})\n OS/Arch:      {server.Os}/{server.Arch}\n Kernel:       {server.KernelVersion}").ConfigureAwait(false);
            return 0;
        });
        return command;
    }
}
