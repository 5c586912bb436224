using Netstack.Cli;
using Netstack.Cli.Diagnostics;

TimingTrace.Mark("main");
try
{
    return await CliApp.RunAsync(args).ConfigureAwait(false);
}
finally
{
    TimingTrace.Mark("exit");
    TimingTrace.Flush();
}
