using System.CommandLine;
using Microsoft.Extensions.Options;
using Netstack.Daemon.Hosting;

namespace Netstack.Daemon;

/// <summary>netstackd's entry point: flags and config file to configuration, then the host.</summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args is [Runtime.Shim.ContainerShim.Flag, ..])
        {
            // A container's shim (the holder of an interactive container's terminal or stdin), not the daemon.
            return Runtime.Shim.ContainerShim.Run(args[1..]);
        }
        var commandLine = new DaemonCommandLine();
        commandLine.Root.SetAction(async (parse, ct) =>
        {
            if (Core.FailPoints.FailPoint.Error is { } failPointError)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync("netstackd: " + failPointError).ConfigureAwait(false);
                return 1;
            }
            if (Core.FailPoints.FailPoint.Description is { } armed)
            {
                // Test-only: said loudly, so a daemon never runs armed by accident unnoticed.
                await parse.InvocationConfiguration.Error.WriteLineAsync("netstackd: fail points armed: " + armed).ConfigureAwait(false);
            }
            var configFile = parse.GetValue(commandLine.ConfigFile);
            var explicitFile = configFile is not null;
            configFile ??= DaemonOptions.DefaultConfigFile;
            if (explicitFile && !File.Exists(configFile))
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"netstackd: config file {configFile} does not exist").ConfigureAwait(false);
                return 1;
            }
            IConfiguration configuration;
            try
            {
                configuration = new ConfigurationBuilder()
                    .AddJsonFile(configFile, optional: !explicitFile, reloadOnChange: false)
                    .AddInMemoryCollection(commandLine.ToConfiguration(parse))
                    .Build();
            }
            catch (InvalidDataException e)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"netstackd: config file {configFile} is not valid JSON: {e.InnerException?.Message ?? e.Message}").ConfigureAwait(false);
                return 1;
            }
            try
            {
                var app = DaemonHost.Build(configuration, Composition.AddProductionServices);
                await using (app.ConfigureAwait(false))
                {
                    await DaemonHost.RunAsync(app, ct).ConfigureAwait(false);
                }
                return 0;
            }
            catch (OptionsValidationException e)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync("netstackd: invalid configuration: " + string.Join("; ", e.Failures)).ConfigureAwait(false);
                return 1;
            }
            catch (Gossip.GossipStartException e)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync("netstackd: " + e.Message).ConfigureAwait(false);
                return 1;
            }
            catch (InvalidOperationException e) when (e.Message.Contains("unix://", StringComparison.Ordinal))
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync("netstackd: " + e.Message).ConfigureAwait(false);
                return 1;
            }
        });
        var result = commandLine.Root.Parse(args);
        if (result.Action is System.CommandLine.Invocation.ParseErrorAction errorAction)
        {
            errorAction.ShowHelp = false;
        }
        return await result.InvokeAsync().ConfigureAwait(false);
    }
}
