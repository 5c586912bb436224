using Netstack.Linux;
using Netstack.TestKit;
using Xunit;

namespace Netstack.Privileged.Tests.Linux;

/// <summary>mount(2)/umount2(2) through <see cref="Mounts"/>, checked against the kernel's mountinfo and the files.</summary>
public sealed class MountTests : IDisposable
{
    private readonly string _root = Path.Combine("/tmp", TestNamespace.NewName() + "-mounts");

    public MountTests()
    {
        foreach (var dir in new[] { "lower", "upper", "work", "merged" })
        {
            Directory.CreateDirectory(Path.Combine(_root, dir));
        }
        File.WriteAllText(Path.Combine(_root, "lower", "from-image"), "image");
    }

    private string P(string name) => Path.Combine(_root, name);

    public void Dispose()
    {
        Mounts.Unmount(P("merged"), detach: true);
        Directory.Delete(_root, recursive: true);
    }

    private static bool Mounted(string path) =>
        File.ReadLines("/proc/self/mountinfo").Any(l => l.Split(' ')[4] == path);

    [PrivilegedFact]
    public void Overlay_ShowsTheLowerLayer_WritesGoToUpper_AndUnmountRemovesIt()
    {
        Mounts.MountOverlay(P("lower"), P("upper"), P("work"), P("merged"));

        Assert.True(Mounted(P("merged")));
        Assert.Equal("image", File.ReadAllText(Path.Combine(P("merged"), "from-image")));
        File.WriteAllText(Path.Combine(P("merged"), "written"), "container");
        Assert.True(File.Exists(Path.Combine(P("upper"), "written")));
        Assert.False(File.Exists(Path.Combine(P("lower"), "written")));

        Assert.True(Mounts.Unmount(P("merged")));
        Assert.False(Mounted(P("merged")));
        Assert.False(Mounts.Unmount(P("merged"))); // nothing mounted there any more
    }

    [PrivilegedFact]
    public void Unmount_OfABusyMount_FailsWithEbusy_UnlessDetached()
    {
        Mounts.MountOverlay(P("lower"), P("upper"), P("work"), P("merged"));
        using (File.OpenRead(Path.Combine(P("merged"), "from-image")))
        {
            var busy = Assert.Throws<NetlinkException>(() => Mounts.Unmount(P("merged")));
            Assert.Equal(Errno.EBUSY, busy.Errno);
            Assert.Contains("umount " + P("merged"), busy.Message, StringComparison.Ordinal);
            Assert.True(Mounts.Unmount(P("merged"), detach: true));
        }
        Assert.False(Mounted(P("merged")));
    }

    [PrivilegedFact]
    public void BadInput_GetsAClearError_AndMountsNothing()
    {
        var missing = Assert.ThrowsAny<NetlinkException>(() => Mounts.MountOverlay(P("lower"), P("upper"), P("work"), P("no-such-dir")));
        Assert.Equal(Errno.ENOENT, missing.Errno);
        Assert.Contains("mount overlay on " + P("no-such-dir"), missing.Message, StringComparison.Ordinal);

        var comma = Assert.Throws<ArgumentException>(() => Mounts.MountOverlay(P("lower") + ",x", P("upper"), P("work"), P("merged")));
        Assert.Contains("lower directory", comma.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Mounts.MountOverlay(P("lower"), P("upper:x"), P("work"), P("merged")));
        Assert.False(Mounted(P("merged")));
    }
}
