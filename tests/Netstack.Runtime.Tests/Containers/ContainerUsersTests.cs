using Netstack.Runtime.Containers;
using Xunit;

namespace Netstack.Runtime.Tests.Containers;

/// <summary>-u resolved against an image's /etc/passwd and /etc/group, as Docker resolves it.</summary>
public sealed class ContainerUsersTests : IDisposable
{
    private readonly string _rootfs = Directory.CreateTempSubdirectory("netstack-users-").FullName;

    public ContainerUsersTests()
    {
        Directory.CreateDirectory(Path.Combine(_rootfs, "etc"));
        File.WriteAllText(Path.Combine(_rootfs, "etc", "passwd"),
            "root:x:0:0:root:/root:/bin/sh\n# a comment\nwww-data:x:33:33:www-data:/var/www:/bin/false\napp:x:1000:1000::/home/app:/bin/sh\n");
        File.WriteAllText(Path.Combine(_rootfs, "etc", "group"),
            "root:x:0:\nwww-data:x:33:\napp:x:1000:\naudio:x:29:app,www-data\nvideo:x:44:app\n");
    }

    public void Dispose() => Directory.Delete(_rootfs, recursive: true);

    [Fact]
    public void Resolve_Nothing_IsRoot() => Assert.Equal(ContainerUsers.Root, ContainerUsers.Resolve(null, _rootfs));

    [Fact]
    public void Resolve_Name_TakesUidGidHomeAndTheGroupsListingIt()
    {
        var user = ContainerUsers.Resolve("app", _rootfs);
        Assert.Equal((1000u, 1000u, "/home/app"), (user.Uid, user.Gid, user.Home));
        Assert.Equal([29u, 44u], user.AdditionalGids);
    }

    [Fact]
    public void Resolve_NameAndGroupName_GroupReplacesThePrimary()
    {
        var user = ContainerUsers.Resolve("www-data:video", _rootfs);
        Assert.Equal((33u, 44u), (user.Uid, user.Gid));
        Assert.Equal([29u], user.AdditionalGids);
    }

    [Fact]
    public void Resolve_Numbers_NeedNoEntry_AKnownUidBringsItsGroupAndHome()
    {
        Assert.Equal((4321u, 0u, "/"), (ContainerUsers.Resolve("4321", _rootfs).Uid, ContainerUsers.Resolve("4321", _rootfs).Gid, ContainerUsers.Resolve("4321", _rootfs).Home));
        var known = ContainerUsers.Resolve("33", _rootfs);
        Assert.Equal((33u, 33u, "/var/www"), (known.Uid, known.Gid, known.Home));
        var both = ContainerUsers.Resolve("1000:5000", _rootfs);
        Assert.Equal((1000u, 5000u), (both.Uid, both.Gid));
    }

    [Theory]
    [InlineData("nobody2", "nobody2")]
    [InlineData("app:nogroup", "nogroup")]
    [InlineData(":100", ":100")]
    [InlineData("app:", "app:")]
    public void Resolve_UnknownOrMalformed_NamesTheValue(string value, string named)
    {
        var e = Assert.Throws<RuntimeException>(() => ContainerUsers.Resolve(value, _rootfs));
        Assert.Equal(RuntimeErrorKind.InvalidArgument, e.Kind);
        Assert.Contains(named, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_APasswdThatIsASymlink_IsNotFollowedOutOfTheImage()
    {
        var etc = Path.Combine(_rootfs, "etc");
        File.Delete(Path.Combine(etc, "passwd"));
        File.CreateSymbolicLink(Path.Combine(etc, "passwd"), "/etc/passwd");
        Assert.Throws<RuntimeException>(() => ContainerUsers.Resolve("root", _rootfs));
    }
}
