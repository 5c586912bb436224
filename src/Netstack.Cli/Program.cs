using Netstack.Cli;
using Netstack.Cli.Diagnostics;

TimingTrace.Mark("main");
try
{
    // The process itself: one command, one answer at a time, so blocking socket calls (no socket event loop to start).
    return await CliApp.RunAsync(args, blockingIo: true).ConfigureAwait(false);
}
finally
{
    TimingTrace.Mark("exit");
    TimingTrace.Flush();
}
