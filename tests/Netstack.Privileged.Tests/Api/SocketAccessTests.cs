using System.Globalization;
using Netstack.TestKit;
using Xunit;

namespace Netstack.Privileged.Tests.Api;

/// <summary>
/// Who may drive the daemon (issue 18's security line): the API socket is 0660, owned by root and
/// root's group, so a process of another user outside that group is refused at connect, one in
/// the group is served, and root is served. Clients are curl run under setpriv with the uid and
/// groups set, against GET /_ping. With <c>--group</c>, the socket's group is the one named.
/// </summary>
public sealed class SocketAccessTests
{
    [PrivilegedFact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task ApiSocket_0660_OtherUserRefused_GroupMemberAndRootServed()
    {
        await using var daemon = await NetstackdProcess.StartAsync();
        // The socket's directory must be passable for the check to be about the socket itself.
        File.SetUnixFileMode(Path.GetDirectoryName(daemon.SocketPath)!, (UnixFileMode)0b111_101_101);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite, File.GetUnixFileMode(daemon.SocketPath));
        Assert.Equal("0 0", TestNamespace.Run("stat", "-c", "%u %g", daemon.SocketPath).Trim());

        var outsider = Ping(daemon.SocketPath, "--reuid=nobody", "--regid=nogroup", "--clear-groups");
        // curl's 7: the connect itself failed (EACCES on the socket file), not a refusal in HTTP.
        Assert.True(outsider.Exit == 7, $"a user outside the group was not refused at connect: {outsider.Exit} {outsider.Output} {outsider.Error}");

        var member = Ping(daemon.SocketPath, "--reuid=nobody", "--regid=nogroup", "--groups=0");
        Assert.True(member.Exit == 0 && member.Output == "OK", $"a member of the socket's group was refused: {member.Exit} {member.Error}");

        var root = Ping(daemon.SocketPath);
        Assert.True(root.Exit == 0 && root.Output == "OK", $"root was refused: {root.Error}");
    }

    [PrivilegedFact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task GroupFlag_SocketGetsThatGroup_ItsMembersServed_RootsGroupNoLonger()
    {
        // A gid no group database names: nothing is added to the machine's /etc/group.
        await using var daemon = await NetstackdProcess.StartAsync("--group", "4242");
        File.SetUnixFileMode(Path.GetDirectoryName(daemon.SocketPath)!, (UnixFileMode)0b111_101_101);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite, File.GetUnixFileMode(daemon.SocketPath));
        Assert.Equal("0 4242", TestNamespace.Run("stat", "-c", "%u %g", daemon.SocketPath).Trim());

        var member = Ping(daemon.SocketPath, "--reuid=nobody", "--regid=nogroup", "--groups=4242");
        Assert.True(member.Exit == 0 && member.Output == "OK", $"a member of group 4242 was refused: {member.Exit} {member.Error}");

        var rootsGroup = Ping(daemon.SocketPath, "--reuid=nobody", "--regid=nogroup", "--groups=0");
        Assert.True(rootsGroup.Exit == 7, $"a member of root's group only was not refused: {rootsGroup.Exit} {rootsGroup.Output} {rootsGroup.Error}");
    }

    private static (int Exit, string Output, string Error) Ping(string socket, params string[] setpriv)
    {
        string[] curl = ["curl", "-sS", "--max-time", "10", "--unix-socket", socket, "http://netstack/_ping"];
        return setpriv.Length == 0
            ? TestNamespace.TryRun(curl[0], curl[1..])
            : TestNamespace.TryRun("setpriv", [.. setpriv, .. curl]);
    }
}
