using Netstack.Cli;
using Netstack.Cli.Diagnostics;

TimingTrace.Mark("main");
var exit = await CliApp.RunAsync(args).ConfigureAwait(false);
TimingTrace.Mark("exit");
return exit;
