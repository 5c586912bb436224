namespace Netstack.Runtime.Containers;

/// <summary>
/// Where one container's files live. Persistent (<c>{DataRoot}/containers/{id}</c>): the metadata
/// record, the log and the overlay's upper and work directories, so a stopped container keeps its
/// changes. Volatile (<c>{ExecRoot}/containers/{id}</c>): the OCI bundle of the current run.
/// </summary>
internal sealed class ContainerPaths(RuntimeOptions options, string id)
{
    public string DataDir { get; } = Path.Combine(options.ContainersDataDir, id);

    public string RecordFile => Path.Combine(DataDir, "container.json");

    /// <summary>The container's stdout.</summary>
    public string LogFile => Path.Combine(DataDir, "container.log");

    /// <summary>The container's stderr, kept apart so attach and logs can frame it as stream 2.</summary>
    public string ErrorLogFile => Path.Combine(DataDir, "container-stderr.log");

    public string UpperDir => Path.Combine(DataDir, "upper");

    public string WorkDir => Path.Combine(DataDir, "work");

    public string BundleDir { get; } = Path.Combine(options.BundlesDir, id);

    public string ConfigFile => Path.Combine(BundleDir, "config.json");

    public string Rootfs => Path.Combine(BundleDir, "rootfs");

    public string HostsFile => Path.Combine(BundleDir, "hosts");

    public string ResolvConfFile => Path.Combine(BundleDir, "resolv.conf");

    public string HostnameFile => Path.Combine(BundleDir, "hostname");

    /// <summary>Written by <c>runc run --pid-file</c> once the container's process has been started.</summary>
    public string PidFile => Path.Combine(BundleDir, "init.pid");

    /// <summary>Written by the shim with runc's exit status (the container's) after the container has exited.</summary>
    public string ExitFile => Path.Combine(BundleDir, "exit");

    public string ShimPidFile => Path.Combine(BundleDir, "shim.pid");

    public string ShimScript => Path.Combine(BundleDir, "shim.sh");

    /// <summary>runc's own log (<c>runc --log</c>, JSON lines), apart from the container's output.</summary>
    public string RuncLog => Path.Combine(BundleDir, "runc.log");
}
