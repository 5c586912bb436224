using Netstack.Runtime;
using Netstack.Runtime.Containers;
using Netstack.Runtime.Images;

namespace Netstack.Privileged.Tests.Runtime;

/// <summary>
/// A runtime with its own data and exec roots under /tmp, so tests never see the machine's
/// /var/lib/netstack or /run/netstack. Dispose kills and removes every container it made.
/// </summary>
internal sealed class RuntimeFixture : IAsyncDisposable
{
    public RuntimeFixture()
    {
        Root = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "nst-rt-" + Guid.NewGuid().ToString("N")[..8]);
        Options = new RuntimeOptions
        {
            DataRoot = System.IO.Path.Combine(Root, "data"),
            ExecRoot = System.IO.Path.Combine(Root, "exec"),
            CgroupParent = "/" + System.IO.Path.GetFileName(Root),
            ExitPollInterval = TimeSpan.FromMilliseconds(20),
        };
        Images = new ImageStore(Options, TimeProvider.System);
        Runtime = new ContainerRuntime(Options, Images, TimeProvider.System);
    }

    public string Root { get; }

    public RuntimeOptions Options { get; }

    public ImageStore Images { get; private set; }

    public ContainerRuntime Runtime { get; private set; }

    public Task<ImageInfo> ImportBusyboxAsync(string reference = "busybox") => Images.ImportAsync(BusyboxImage.Path, reference);

    /// <summary>A second runtime over the same roots, as a restarted daemon would build; the old one stops watching.</summary>
    public async Task<ContainerRuntime> RestartAsync()
    {
        await Runtime.DisposeAsync();
        Images.Dispose();
        Images = new ImageStore(Options, TimeProvider.System);
        Runtime = new ContainerRuntime(Options, Images, TimeProvider.System);
        return Runtime;
    }

    /// <summary>Mount points under our roots still in our mount table.</summary>
    public IReadOnlyList<string> LeftoverMounts() =>
        [.. File.ReadLines("/proc/self/mountinfo").Where(l => l.Contains(Root, StringComparison.Ordinal))];

    /// <summary>cgroup directories of a container still present under any controller (runc delete removes them).</summary>
    public IReadOnlyList<string> LeftoverCgroups(string id) =>
        [.. (Directory.Exists("/sys/fs/cgroup") ? Directory.GetDirectories("/sys/fs/cgroup") : [])
            .Select(controller => System.IO.Path.Combine(controller, System.IO.Path.GetFileName(Root), id))
            .Where(Directory.Exists)];

    /// <summary>Containers runc still knows under our state directory.</summary>
    public string RuncList()
    {
        var stateDir = System.IO.Path.Combine(Options.ExecRoot, "runc");
        return Directory.Exists(stateDir) ? Sh.Run("runc", "--root", stateDir, "list", "-q").Trim() : "";
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            foreach (var container in Runtime.List(all: true))
            {
                try
                {
                    await Runtime.DeleteAsync(container.Id, force: true);
                }
                catch (RuntimeException)
                {
                }
            }
        }
        finally
        {
            await Runtime.DisposeAsync();
            Images.Dispose();
            // Last resort for a failed test: runc state, mounts, cgroups, files.
            var stateDir = System.IO.Path.Combine(Options.ExecRoot, "runc");
            if (Directory.Exists(stateDir))
            {
                foreach (var id in Sh.Run("runc", "--root", stateDir, "list", "-q").Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    Sh.TryRun("runc", "--root", stateDir, "delete", "--force", id);
                }
            }
            foreach (var line in LeftoverMounts())
            {
                Sh.TryRun("umount", "-l", line.Split(' ')[4]);
            }
            Sh.TryRun("rm", "-rf", "--one-file-system", Root);
            // runc removes each container's cgroup but not the parent it created on the way.
            foreach (var controller in Directory.Exists("/sys/fs/cgroup") ? Directory.GetDirectories("/sys/fs/cgroup") : [])
            {
                var parent = System.IO.Path.Combine(controller, System.IO.Path.GetFileName(Root));
                if (Directory.Exists(parent))
                {
                    Sh.TryRun("rmdir", parent);
                }
            }
        }
    }
}
