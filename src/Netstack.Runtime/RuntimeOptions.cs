namespace Netstack.Runtime;

/// <summary>Where the runtime keeps its files and which runc it runs.</summary>
public sealed class RuntimeOptions
{
    /// <summary>
    /// Persistent state: images under <c>{DataRoot}/images</c>, container metadata, logs and
    /// writable layers under <c>{DataRoot}/containers</c>. Survives a reboot.
    /// </summary>
    public string DataRoot { get; set; } = "/var/lib/netstack";

    /// <summary>
    /// Volatile state: OCI bundles under <c>{ExecRoot}/containers/{id}</c> and runc's own state
    /// directory <c>{ExecRoot}/runc</c> (passed as <c>runc --root</c>, so we never see or touch
    /// containers of another runc user such as Docker).
    /// </summary>
    public string ExecRoot { get; set; } = "/run/netstack";

    /// <summary>The runc binary; null finds Debian's <c>/usr/sbin/runc</c> or <c>/usr/bin/runc</c>.</summary>
    public string? RuncPath { get; set; }

    /// <summary>How often the exit watcher looks at a running container's init process.</summary>
    public TimeSpan ExitPollInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The cgroup parent of every container (runc's <c>linux.cgroupsPath</c> is this plus the id).</summary>
    public string CgroupParent { get; set; } = "/netstack";

    /// <summary>
    /// The command that starts a container's shim (<c>netstackd --container-shim</c>: the daemon's own
    /// executable, and its dll when run by <c>dotnet</c>), which holds the terminal or stdin of
    /// <c>-t</c> and <c>-i</c> containers across daemon restarts; null refuses such containers.
    /// </summary>
    public IReadOnlyList<string>? ShimCommand { get; set; }

    /// <summary>The shims' control and console sockets, in a directory only root may enter.</summary>
    internal string ShimDir => Path.Combine(ExecRoot, "shim");

    internal string ImagesDir => Path.Combine(DataRoot, "images");

    internal string ContainersDataDir => Path.Combine(DataRoot, "containers");

    internal string BundlesDir => Path.Combine(ExecRoot, "containers");

    internal string RuncStateDir => Path.Combine(ExecRoot, "runc");
}
