using System.Globalization;
using System.Text;
using System.Text.Json;
using Netstack.Runtime.Oci;
using Netstack.Runtime.Storage;
using Netstack.Core.FailPoints;

namespace Netstack.Runtime.Containers;

public sealed partial class ContainerRuntime
{
    /// <summary>How long runc may take to start a container before the start is abandoned.</summary>
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    /// <summary>How often a start looks for runc's pid file; a start takes tens of milliseconds.</summary>
    private static readonly TimeSpan StartPollInterval = TimeSpan.FromMilliseconds(2);

    /// <summary>
    /// Starts a created or exited container in the given sandbox: writes /etc/hosts,
    /// /etc/resolv.conf and /etc/hostname, mounts its root file system (overlay of the image),
    /// writes config.json and has runc run it detached from the daemon. Returns once the
    /// container's process runs. On failure nothing is left of the attempt.
    /// </summary>
    public async Task<ContainerInfo> StartAsync(string idOrName, ContainerSandbox sandbox, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sandbox);
        var entry = Find(idOrName);
        if (sandbox.NetworkNamespace is { } netns && !File.Exists(netns))
        {
            throw RuntimeException.Invalid($"network namespace \"{netns}\" of container {entry.Info.Name} does not exist");
        }
        await entry.Lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (entry.Deleted)
            {
                throw RuntimeException.NotFound($"no such container: \"{idOrName}\"");
            }
            if (entry.Info.State == ContainerState.Running)
            {
                throw RuntimeException.Conflict($"container {entry.Info.Name} is already running");
            }
            var paths = entry.Paths;
            try
            {
                await RemoveBundleAsync(entry, CancellationToken.None).ConfigureAwait(false);
                var pid = await LaunchAsync(entry, sandbox, cancellationToken).ConfigureAwait(false);
                FailPoint.Hit(FailPointNames.ContainerStartAfterRunc);
                var startTime = InitProcess.ReadStartTime(pid) ?? 0;
                entry.RunExit = ContainerEntry.NewExit();
                entry.Info = entry.Info with
                {
                    State = ContainerState.Running,
                    Pid = pid,
                    PidStartTime = startTime,
                    StartedAt = _time.GetUtcNow(),
                    FinishedAt = null,
                    ExitCode = null,
                    OomKilled = false,
                    NetworkNamespace = sandbox.NetworkNamespace,
                };
                Persist(entry);
                StartWatcher(entry);
                Log.ContainerStarted(_logger, entry.Info.Id, pid);
                return entry.Info;
            }
            catch
            {
                // Undo everything of this attempt: the runc container, the mount, the bundle.
                await RemoveBundleAsync(entry, CancellationToken.None).ConfigureAwait(false);
                throw;
            }
        }
        finally
        {
            entry.Lock.Release();
        }
    }

    /// <summary>
    /// Rewrites a running container's /etc/hosts and/or /etc/resolv.conf (null leaves one as it
    /// is), e.g. after <c>network connect</c>. The files are rewritten in place: they are bind
    /// mounts, which follow the inode, so a rename over them would not be seen.
    /// </summary>
    public async Task UpdateNetworkFilesAsync(string idOrName, string? hosts, string? resolvConf, CancellationToken cancellationToken = default)
    {
        var entry = Find(idOrName);
        await entry.Lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (entry.Info.State != ContainerState.Running)
            {
                return;
            }
            if (hosts is not null)
            {
                await File.WriteAllTextAsync(entry.Paths.HostsFile, hosts, cancellationToken).ConfigureAwait(false);
            }
            if (resolvConf is not null)
            {
                await File.WriteAllTextAsync(entry.Paths.ResolvConfFile, resolvConf, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            entry.Lock.Release();
        }
    }

    /// <summary>
    /// Changes fields of the record that only the daemon acts on (restart count, manual stop) and
    /// persists it, under the container's lock; returns the new record.
    /// </summary>
    public async Task<ContainerInfo> AmendAsync(string idOrName, Func<ContainerInfo, ContainerInfo> change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        var entry = Find(idOrName);
        await entry.Lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (entry.Deleted)
            {
                throw RuntimeException.NotFound($"no such container: \"{idOrName}\"");
            }
            var changed = change(entry.Info);
            // Only the daemon's fields: identity and run state stay the runtime's.
            entry.Info = entry.Info with
            {
                RestartCount = changed.RestartCount,
                ManuallyStopped = changed.ManuallyStopped,
            };
            Persist(entry);
            return entry.Info;
        }
        finally
        {
            entry.Lock.Release();
        }
    }

    /// <summary>
    /// The /etc/hosts and /etc/resolv.conf of a running container as it has them now, for a
    /// container that joins its network (<c>--network container:NAME</c>) and shares them.
    /// </summary>
    public (string Hosts, string ResolvConf) ReadNetworkFiles(string idOrName)
    {
        var entry = Find(idOrName);
        if (entry.Info.State != ContainerState.Running)
        {
            throw RuntimeException.Conflict($"container {entry.Info.Name} is not running");
        }
        return (File.ReadAllText(entry.Paths.HostsFile), File.ReadAllText(entry.Paths.ResolvConfFile));
    }

    /// <summary>Default /etc/hosts when the daemon gives none: loopback names and the container's own name (Docker's layout).</summary>
    internal static string DefaultHosts(string hostname) =>
        "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\n" +
        "ff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n" + $"127.0.1.1\t{hostname}\n";

    private async Task<int> LaunchAsync(ContainerEntry entry, ContainerSandbox sandbox, CancellationToken cancellationToken)
    {
        var paths = entry.Paths;
        var info = entry.Info;
        Directory.CreateDirectory(paths.Rootfs);
        await File.WriteAllTextAsync(paths.HostsFile, sandbox.Hosts ?? DefaultHosts(info.Hostname), cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(paths.ResolvConfFile, sandbox.ResolvConf ?? "", cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(paths.HostnameFile, info.Hostname + "\n", cancellationToken).ConfigureAwait(false);

        var imageRootfs = _images.RootfsPath(info.ImageId);
        if (!Directory.Exists(imageRootfs))
        {
            throw RuntimeException.NotFound($"image {info.ImageId[..12]} of container {info.Name} is gone from {imageRootfs}");
        }
        Directory.CreateDirectory(paths.UpperDir);
        Directory.CreateDirectory(paths.WorkDir);
        await RootfsMounts.MountOverlayAsync(imageRootfs, paths.UpperDir, paths.WorkDir, paths.Rootfs, cancellationToken).ConfigureAwait(false);
        // Against the container's own files (its writable layer over the image), as Docker resolves it at start.
        var user = ContainerUsers.Resolve(info.User, paths.Rootfs);
        // A bind source removed since the create fails here, before runc, with its name.
        ContainerSpecValidator.ValidateMounts(info.Mounts);

        var spec = OciSpecBuilder.Build(info, new OciBundleInputs(
            paths.HostsFile,
            paths.ResolvConfFile,
            paths.HostnameFile,
            sandbox.NetworkNamespace,
            CgroupsPath(info.Id),
            sandbox.HostNetwork,
            user));
        // Plain write, no fsync: runc reads config.json once, right below, and nothing reads it after a
        // crash (every start rebuilds the bundle), so durability would only cost a flush to disk
        // (5 ms median, 20+ ms under I/O load on the benchmark machine; scenarios/bench/README-run.md).
        await File.WriteAllBytesAsync(paths.ConfigFile, JsonSerializer.SerializeToUtf8Bytes(spec, OciJsonContext.Default.OciSpec), cancellationToken).ConfigureAwait(false);

        Directory.CreateDirectory(_options.RuncStateDir);
        if (info.Tty || info.OpenStdin)
        {
            var shim = _options.ShimCommand
                ?? throw RuntimeException.Invalid($"container {info.Name} has a terminal or stdin (-t, -i), which needs the shim command (runtime option ShimCommand)");
            // Only root may reach a shim's sockets: they hand out the container's terminal.
            Directory.CreateDirectory(_options.ShimDir);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(_options.ShimDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
            await Runc.SpawnInteractiveRunAsync(info.Id, paths, info.Tty, shim, ControlSocket(info.Id), ConsoleSocket(info.Id), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await Runc.SpawnRunAsync(info.Id, paths, cancellationToken).ConfigureAwait(false);
        }
        return await WaitForPidAsync(entry, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// runc writes the pid file once the container's process has been started; the shim writes
    /// the exit file when runc has ended. Whichever comes first tells how the start went.
    /// </summary>
    private async Task<int> WaitForPidAsync(ContainerEntry entry, CancellationToken cancellationToken)
    {
        var paths = entry.Paths;
        var deadline = _time.GetUtcNow() + StartTimeout;
        while (true)
        {
            if (TryReadInt(paths.PidFile) is { } pid)
            {
                return pid;
            }
            if (File.Exists(paths.ExitFile))
            {
                // A short-lived container may have started and ended between the two checks (a
                // thread of a loaded machine can sleep there for tens of ms): its pid file says so.
                if (TryReadInt(paths.PidFile) is { } ran)
                {
                    return ran;
                }
                throw StartFailure(entry);
            }
            if (_time.GetUtcNow() > deadline)
            {
                throw RuntimeException.Failed($"runc did not start container {entry.Info.Name} within {StartTimeout.TotalSeconds:0} s");
            }
            await Task.Delay(StartPollInterval, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>runc's own error lines (level "error" in its JSON log) say why a start failed.</summary>
    private static RuntimeException StartFailure(ContainerEntry entry)
    {
        var messages = new StringBuilder();
        try
        {
            foreach (var line in File.ReadLines(entry.Paths.RuncLog))
            {
                using var doc = JsonDocument.Parse(line);
                if (doc.RootElement.TryGetProperty("level", out var level) && level.GetString() is "error" or "fatal"
                    && doc.RootElement.TryGetProperty("msg", out var msg))
                {
                    messages.Append(messages.Length > 0 ? "; " : "").Append(msg.GetString());
                }
            }
        }
        catch (Exception ex) when (ex is IOException or JsonException)
        {
            // No log or a torn line: report what we have.
        }
        var text = messages.Length > 0 ? messages.ToString() : "runc exited before the container ran";
        var message = $"cannot start container {entry.Info.Name}: {text}";
        // A command that is not in the image is the user's mistake, not a fault (Docker answers 400).
        return text.Contains("executable file not found", StringComparison.Ordinal) || text.Contains("no such file or directory", StringComparison.Ordinal)
            ? RuntimeException.Invalid(message)
            : RuntimeException.Failed(message);
    }

    /// <summary>True when this host can limit swap (cgroup v2, or v1 with swap accounting); else --memory-swap is dropped with a warning.</summary>
    public static bool SwapLimitSupported => CgroupFiles.SwapLimitSupported;

    private string CgroupsPath(string id) => _options.CgroupParent.TrimEnd('/') + "/" + id;

    internal static int? TryReadInt(string path)
    {
        try
        {
            var text = File.ReadAllText(path).Trim();
            return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
