using Netstack.Runtime.Containers;
using Xunit;

namespace Netstack.Runtime.Tests.Containers;

public sealed class ExecFailureTests
{
    // runc 1.1's stderr, its log sent to /dev/null, when it cannot start an exec's process.
    private const string NotFound = "exec failed: unable to start container process: exec: \"nosuch\": executable file not found in $PATH\n";
    private const string NoSuchPath = "exec failed: unable to start container process: exec: \"/bin/nosuch\": stat /bin/nosuch: no such file or directory\n";
    private const string Denied = "exec failed: unable to start container process: exec: \"/bin/noexec\": permission denied\n";
    private const string Other = "exec failed: container does not exist\n";

    [Theory]
    [InlineData(NotFound, 127)]
    [InlineData(NoSuchPath, 127)]
    [InlineData(Denied, 126)]
    public void CodeOf_RuncRefusedToStart_DockersCode(string stderr, int expected) =>
        Assert.Equal(expected, ExecFailure.CodeOf(255, stderr));

    [Theory]
    [InlineData(255, "")]
    [InlineData(255, "my own complaint\n")]
    [InlineData(255, "exec failed: not really\n")]
    // runc's other refusals (no such container) keep runc's status.
    [InlineData(255, Other)]
    // The complaint must be runc's last word: a process that printed it earlier and went on ran.
    [InlineData(255, NotFound + "and then more output\n")]
    // Any other status is the process's own, whatever it printed.
    [InlineData(1, NotFound)]
    [InlineData(127, Denied)]
    public void CodeOf_TheProcessRan_Null(int status, string stderr) =>
        Assert.Null(ExecFailure.CodeOf(status, stderr));

    [Fact]
    public void Classify_TheShimsComplaint_RuncsLineIsTheLast()
    {
        Assert.Equal(127, ExecFailure.Classify("netstack shim: starting\n" + NotFound));
        Assert.Equal(126, ExecFailure.Classify(Denied));
        Assert.Equal(126, ExecFailure.Classify(Other));
        // A console socket that is gone is no missing command.
        Assert.Equal(126, ExecFailure.Classify("exec failed: dial unix /x.console: connect: no such file or directory\n"));
    }
}
