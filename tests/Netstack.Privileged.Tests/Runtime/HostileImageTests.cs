using System.Formats.Tar;
using Netstack.Runtime;
using Netstack.TestKit;
using Xunit;

namespace Netstack.Privileged.Tests.Runtime;

/// <summary>
/// Image tarballs built to escape the image's root: members that climb out with "..", absolute
/// paths, symlinks (absolute or relative) to a directory outside followed by a member written
/// through them, hard links to a file outside, device nodes, huge headers and truncated archives.
/// Whatever the import answers (an image or a clear refusal), nothing outside the image's root is
/// created or changed, and a refused import leaves no staging directory.
/// </summary>
public sealed class HostileImageTests
{
    public static TheoryData<string> Cases => new()
    {
        "dotdot", "absolute", "symlink-absolute", "symlink-relative", "hardlink-outside", "device-node", "huge-header", "truncated",
    };

    [PrivilegedTheory]
    [MemberData(nameof(Cases))]
    public async Task HostileArchive_NothingOutsideTheRootIsTouched(string kind)
    {
        await using var fx = new RuntimeFixture();
        // The "outside": a directory and a file beside the store that no member may reach.
        var outside = Path.Combine(fx.Root, "outside");
        Directory.CreateDirectory(outside);
        var victim = Path.Combine(outside, "victim.txt");
        File.WriteAllText(victim, "original");
        var before = Snapshot(outside);
        var tar = Path.Combine(fx.Root, kind + ".tar");
        Build(tar, kind, outside, victim);

        Exception? refused = null;
        try
        {
            var image = await fx.Images.ImportAsync(tar, "hostile:" + kind);
            var rootfs = fx.Images.RootfsPath(image.Id);
            // What was extracted stays inside the root: no symlink there leads a later write out
            // of it at import time, and the store is the only place that changed.
            Assert.True(Directory.Exists(rootfs));
        }
        catch (RuntimeException e)
        {
            refused = e;
            Assert.Equal(RuntimeErrorKind.InvalidArgument, e.Kind);
            Assert.Contains(tar, e.Message, StringComparison.Ordinal);
        }

        Assert.Equal(before, Snapshot(outside));
        Assert.Equal("original", File.ReadAllText(victim));
        Assert.Equal(1, LinkCount(victim));
        Assert.False(File.Exists("/tmp/nst-hostile-" + Path.GetFileName(fx.Root)), "an absolute member was written on the host");
        Assert.False(File.Exists(Path.Combine(fx.Options.DataRoot, "escaped.txt")));
        Assert.Empty(Directory.Exists(fx.Options.DataRoot)
            ? Directory.EnumerateDirectories(fx.Options.DataRoot, ".import-*", SearchOption.AllDirectories)
            : []);
        if (kind is "dotdot" or "truncated")
        {
            Assert.NotNull(refused);
        }
    }

    private static void Build(string path, string kind, string outside, string victim)
    {
        using var stream = System.IO.File.Create(path);
        var writer = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: true);
        void AddFile(string name, string content) =>
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(content)) });
        using (writer)
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "etc/"));
            AddFile("etc/hostname", "x");
            switch (kind)
            {
                case "dotdot":
                    AddFile("../../escaped.txt", "out");
                    AddFile("etc/../../../../escaped.txt", "out");
                    break;
                case "absolute":
                    AddFile("/tmp/nst-hostile-" + Path.GetFileName(Path.GetDirectoryName(outside)), "out");
                    break;
                case "symlink-absolute":
                    writer.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "evil") { LinkName = outside });
                    AddFile("evil/pwned.txt", "out");
                    AddFile("evil/victim.txt", "overwritten");
                    break;
                case "symlink-relative":
                    writer.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "etc/up") { LinkName = "../../../../../../../../.." + outside });
                    AddFile("etc/up/pwned.txt", "out");
                    writer.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "victimlink") { LinkName = victim });
                    AddFile("victimlink", "overwritten");
                    break;
                case "hardlink-outside":
                    writer.WriteEntry(new PaxTarEntry(TarEntryType.HardLink, "etc/shadow-copy") { LinkName = victim });
                    writer.WriteEntry(new PaxTarEntry(TarEntryType.HardLink, "etc/up-copy") { LinkName = "../../../../../../../.." + victim });
                    break;
                case "device-node":
                    writer.WriteEntry(new PaxTarEntry(TarEntryType.CharacterDevice, "dev/mem") { DeviceMajor = 1, DeviceMinor = 1 });
                    writer.WriteEntry(new PaxTarEntry(TarEntryType.BlockDevice, "dev/sda") { DeviceMajor = 8, DeviceMinor = 0 });
                    break;
                case "huge-header":
                    var longName = string.Join('/', Enumerable.Repeat("d", 2000)) + "/f";
                    writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "long", new Dictionary<string, string>
                    {
                        ["path"] = longName,
                        ["comment"] = new string('c', 1 << 20),
                    }) { DataStream = new MemoryStream("x"u8.ToArray()) });
                    break;
                case "truncated":
                    AddFile("etc/big", new string('b', 100_000));
                    break;
            }
        }
        if (kind == "truncated")
        {
            stream.SetLength(stream.Length / 2 + 123);
        }
    }

    private static string Snapshot(string dir) =>
        string.Join('\n', Directory.EnumerateFileSystemEntries(dir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(p => p + " " + (System.IO.File.Exists(p) ? new FileInfo(p).Length : -1)));

    private static int LinkCount(string path)
    {
        var output = TestNamespace.Run("stat", "-c", "%h", path).Trim();
        return int.Parse(output, System.Globalization.CultureInfo.InvariantCulture);
    }
}
