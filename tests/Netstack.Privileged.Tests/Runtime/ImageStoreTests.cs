using Netstack.Runtime;
using Netstack.Runtime.Containers;
using Netstack.TestKit;
using Xunit;

namespace Netstack.Privileged.Tests.Runtime;

public sealed class ImageStoreTests
{
    [PrivilegedFact]
    public async Task Import_BusyboxTarball_ExtractsRootfsWithModesAndSymlinks()
    {
        await using var fx = new RuntimeFixture();
        var image = await fx.ImportBusyboxAsync("busybox:1.36");

        Assert.Matches("^[0-9a-f]{64}$", image.Id);
        Assert.Equal(["busybox:1.36"], image.Tags);
        Assert.True(image.Size > 0);
        var rootfs = fx.Images.RootfsPath(image.Id);
        var busybox = new FileInfo(Path.Combine(rootfs, "bin", "busybox"));
        Assert.True(busybox.Exists);
        Assert.True(busybox.UnixFileMode.HasFlag(UnixFileMode.UserExecute));
        Assert.Equal("busybox", new FileInfo(Path.Combine(rootfs, "bin", "sh")).LinkTarget);
        Assert.True(new DirectoryInfo(Path.Combine(rootfs, "tmp")).UnixFileMode.HasFlag(UnixFileMode.StickyBit));
        Assert.True(File.Exists(Path.Combine(rootfs, "var", "www", "index.html")));

        // Resolve by tag, by id, by id prefix and with the sha256: form.
        Assert.Equal(image.Id, fx.Images.Resolve("busybox:1.36").Id);
        Assert.Equal(image.Id, fx.Images.Resolve(image.Id).Id);
        Assert.Equal(image.Id, fx.Images.Resolve(image.Id[..12]).Id);
        Assert.Equal(image.Id, fx.Images.Resolve("sha256:" + image.Id).Id);
        var noLatest = Assert.Throws<RuntimeException>(() => fx.Images.Resolve("busybox"));
        Assert.Equal(RuntimeErrorKind.NotFound, noLatest.Kind);
        Assert.Contains("busybox", noLatest.Message, StringComparison.Ordinal);
    }

    [PrivilegedFact]
    public async Task Import_SameTarballTwice_AddsTagToOneImage()
    {
        await using var fx = new RuntimeFixture();
        var first = await fx.ImportBusyboxAsync("busybox");
        var second = await fx.ImportBusyboxAsync("demo/box:v1");

        Assert.Equal(first.Id, second.Id);
        var only = Assert.Single(fx.Images.List());
        Assert.Equal(["busybox:latest", "demo/box:v1"], only.Tags.Order().ToArray());
        Assert.Equal(first.Id, fx.Images.Resolve("busybox").Id);

        // A new store over the same root reads the metadata back.
        using var reopened = new Netstack.Runtime.Images.ImageStore(fx.Options, TimeProvider.System);
        Assert.Equal(first.Id, reopened.Resolve("demo/box:v1").Id);
    }

    [PrivilegedFact]
    public async Task Import_SameTarballConcurrently_OneImageWithEveryTagAndNoStagingLeft()
    {
        await using var fx = new RuntimeFixture();
        var imports = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => fx.Images.ImportAsync(BusyboxImage.Path, $"box{i}")));

        Assert.Single(imports.Select(i => i.Id).Distinct());
        var only = Assert.Single(fx.Images.List());
        Assert.Equal(["box0:latest", "box1:latest", "box2:latest", "box3:latest"], only.Tags.Order().ToArray());
        Assert.Equal([only.Id], Directory.GetDirectories(Path.Combine(fx.Options.DataRoot, "images")).Select(Path.GetFileName));
    }

    [PrivilegedFact]
    public async Task Remove_WhileContainerUsesImage_ConflictsThenSucceedsAfterDelete()
    {
        await using var fx = new RuntimeFixture();
        var image = await fx.ImportBusyboxAsync();
        var container = await fx.Runtime.CreateAsync(new ContainerSpec { Image = "busybox", Cmd = ["true"] });

        var error = await Assert.ThrowsAsync<RuntimeException>(() => fx.Images.RemoveAsync("busybox"));
        Assert.Equal(RuntimeErrorKind.Conflict, error.Kind);
        Assert.Contains(container.Id[..12], error.Message, StringComparison.Ordinal);
        Assert.Single(fx.Images.List());

        await fx.Runtime.DeleteAsync(container.Id);
        await fx.Images.RemoveAsync("busybox");
        Assert.Empty(fx.Images.List());
        Assert.False(Directory.Exists(Path.Combine(fx.Options.DataRoot, "images", image.Id)));
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(fx.Options.DataRoot, "images")));
    }

    [PrivilegedFact]
    public async Task Remove_OneOfTwoTags_KeepsImage()
    {
        await using var fx = new RuntimeFixture();
        var image = await fx.ImportBusyboxAsync("busybox");
        await fx.ImportBusyboxAsync("other");
        await fx.Images.RemoveAsync("other");
        Assert.Equal(["busybox:latest"], fx.Images.Resolve(image.Id).Tags);
        Assert.Equal(RuntimeErrorKind.NotFound, Assert.Throws<RuntimeException>(() => fx.Images.Resolve("other")).Kind);
    }

    [PrivilegedFact]
    public async Task Import_NotATarball_FailsNamingFileAndLeavesNothing()
    {
        await using var fx = new RuntimeFixture();
        Directory.CreateDirectory(fx.Root);
        var bogus = Path.Combine(fx.Root, "bogus.tar");
        await File.WriteAllTextAsync(bogus, "this is not a tar archive, just text that goes on for a while.\n");

        var error = await Assert.ThrowsAsync<RuntimeException>(() => fx.Images.ImportAsync(bogus, "bogus"));
        Assert.Equal(RuntimeErrorKind.InvalidArgument, error.Kind);
        Assert.Contains(bogus, error.Message, StringComparison.Ordinal);
        Assert.Empty(fx.Images.List());
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(fx.Options.DataRoot, "images")));

        var missing = await Assert.ThrowsAsync<RuntimeException>(() => fx.Images.ImportAsync(Path.Combine(fx.Root, "nope.tar"), "nope"));
        Assert.Contains("nope.tar", missing.Message, StringComparison.Ordinal);
        var badRef = await Assert.ThrowsAsync<RuntimeException>(() => fx.Images.ImportAsync(BusyboxImage.Path, "Bad Name"));
        Assert.Equal(RuntimeErrorKind.InvalidArgument, badRef.Kind);
        Assert.Contains("Bad Name", badRef.Message, StringComparison.Ordinal);
    }
}
