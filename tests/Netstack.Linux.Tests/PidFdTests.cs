using System.Diagnostics;
using Netstack.Linux;
using Xunit;

namespace Netstack.Linux.Tests;

public sealed class PidFdTests
{
    [Fact]
    public void Signal_ReachesTheProcess_ThenAnEndedOneIsFalse_AndAReapedPidIsNull()
    {
        using var sleeper = Process.Start(new ProcessStartInfo("sleep", "30") { UseShellExecute = false })!;
        var pid = sleeper.Id;
        using (var process = PidFd.TryOpen(pid))
        {
            Assert.NotNull(process);
            Assert.True(process.TrySignal(0));
            Assert.True(process.TrySignal(9));
            Assert.True(sleeper.WaitForExit(TimeSpan.FromSeconds(10)), "sleep did not end on SIGKILL sent through its pidfd");
            Assert.Equal(137, sleeper.ExitCode);
            // Reaped: the pidfd still holds the old process, which takes no signal any more.
            Assert.False(process.TrySignal(0));
        }
        Assert.Null(PidFd.TryOpen(pid));
    }
}
