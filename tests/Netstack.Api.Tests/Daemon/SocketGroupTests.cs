using System.Diagnostics;
using Netstack.Daemon.Hosting;
using Netstack.Linux.Files;
using Xunit;

namespace Netstack.Api.Tests.Daemon;

/// <summary>
/// The API socket's access (issue 18's security line): the file exists with mode 0660 at most from
/// the moment it is bound, and <c>-G/--group</c> names its group as Docker's flag does.
/// </summary>
public sealed class SocketGroupTests
{
    private const UnixFileMode WiderThan0660 = UnixFileMode.UserExecute | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    [Fact]
    public void ListenSocket_IsNeverWiderThan0660_EvenBeforeItsModeIsSet()
    {
        var dir = Directory.CreateTempSubdirectory("nst-sock-").FullName;
        try
        {
            var path = Path.Combine(dir, "api.sock");
            using var socket = SocketFile.CreateBoundListenSocket(new System.Net.Sockets.UnixDomainSocketEndPoint(path));
            // What a client racing the daemon's start would find: no chmod has run yet. A plain bind
            // gives 0777 less the umask (0755 with the usual 022).
            var mode = File.GetUnixFileMode(path);
            Assert.True((mode & WiderThan0660) == 0, $"a freshly bound socket has mode {Convert.ToString((int)mode, 8)}");
            Assert.True(mode.HasFlag(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("root", 0u)]
    [InlineData("0", 0u)]
    [InlineData("4242", 4242u)]
    public void LookupGroup_NamesAndNumbers(string group, uint gid) => Assert.Equal(gid, SocketFiles.LookupGroup(group));

    [Fact]
    public void LookupGroup_Unknown_IsNull() => Assert.Null(SocketFiles.LookupGroup("nst-no-such-group"));

    [Theory]
    [InlineData("root")]
    [InlineData("4242")]
    [InlineData(DaemonOptions.DefaultGroup)] // absent on test machines: the sockets stay root's group
    public void Validator_AcceptsExistingGroupsNumbersAndTheDefault(string group)
    {
        var result = new DaemonOptionsValidator().Validate(null, new DaemonOptions { Group = group });
        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData("nst-no-such-group", "group \"nst-no-such-group\": no such group")]
    [InlineData("", "group \"\": expected a group name or a numeric gid")]
    public void Validator_RefusesAGroupThatWasAskedForAndDoesNotExist(string group, string message)
    {
        var result = new DaemonOptionsValidator().Validate(null, new DaemonOptions { Group = group });
        Assert.True(result.Failed);
        Assert.Contains(message, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Netstackd_UnknownGroup_ExitsAtStartNamingIt_NoSocket()
    {
        var dir = Directory.CreateTempSubdirectory("nst-grp-").FullName;
        try
        {
            var config = Path.Combine(dir, "daemon.json");
            File.WriteAllText(config, "{}");
            var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var arg in new[]
            {
                Path.Combine(AppContext.BaseDirectory, "netstackd.dll"), "--root", Path.Combine(dir, "root"), "--exec-root", Path.Combine(dir, "exec"),
                "-H", "unix://" + Path.Combine(dir, "s.sock"), "--group", "nst-no-such-group", "--config-file", config,
            })
            {
                start.ArgumentList.Add(arg);
            }
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var error = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            await stdout;

            Assert.Equal(1, process.ExitCode);
            Assert.Contains("group \"nst-no-such-group\": no such group", error, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(dir, "s.sock")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
