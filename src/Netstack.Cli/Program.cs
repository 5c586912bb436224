using Netstack.Cli;

return await CliApp.RunAsync(args).ConfigureAwait(false);
