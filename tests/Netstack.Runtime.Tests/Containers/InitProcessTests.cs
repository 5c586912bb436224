using Netstack.Runtime.Containers;
using Xunit;

namespace Netstack.Runtime.Tests.Containers;

public sealed class InitProcessTests
{
    // A real /proc/PID/stat line (52 fields); field 22, starttime, is 4242.
    private const string Stat =
        "1234 (my (odd) cmd) S 1 1234 1234 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 4242 1000000 100 " +
        "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0";

    [Fact]
    public void ParseStartTime_CommandWithSpacesAndParentheses_ReadsField22() =>
        Assert.Equal(4242UL, InitProcess.ParseStartTime(Stat));

    [Fact]
    public void ParseStartTime_Zombie_IsNotAlive() =>
        Assert.Null(InitProcess.ParseStartTime(Stat.Replace(") S ", ") Z ", StringComparison.Ordinal)));

    [Fact]
    public void ParseStartTime_Garbage_IsNull()
    {
        Assert.Null(InitProcess.ParseStartTime("garbage"));
        Assert.Null(InitProcess.ParseStartTime("1 (x) S 1 2"));
    }

    [Fact]
    public void IsAlive_OwnProcess_TrueAndWrongStartTimeFalse()
    {
        var pid = Environment.ProcessId;
        var start = InitProcess.ReadStartTime(pid);
        Assert.NotNull(start);
        Assert.True(InitProcess.IsAlive(pid, start.Value));
        Assert.True(InitProcess.IsAlive(pid, 0));
        Assert.False(InitProcess.IsAlive(pid, start.Value + 1));
        Assert.False(InitProcess.IsAlive(0, 0));
    }
}
