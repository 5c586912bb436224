using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Netstack.Runtime.Images;
using Netstack.Runtime.Runc;
using Netstack.Runtime.Storage;
using Netstack.Core.FailPoints;

namespace Netstack.Runtime.Containers;

/// <summary>
/// Containers as OCI bundles run by runc. The runtime knows nothing of networks: a start takes
/// the sandbox's network namespace and the /etc/hosts and /etc/resolv.conf contents; what the
/// container asked for (networks, ports, DNS) is only kept in its record for the daemon.
/// </summary>
/// <remarks>
/// The daemon subscribes to <see cref="ContainerExited"/>, then calls <see cref="RecoverAsync"/>
/// once at start (containers keep running across a daemon restart), before any other call.
/// </remarks>
public sealed partial class ContainerRuntime : IAsyncDisposable
{
    private readonly RuntimeOptions _options;
    private readonly ImageStore _images;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lazy<RuncClient> _runc;
    private readonly Lock _sync = new();
    private readonly Dictionary<string, ContainerEntry> _containers = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _shutdown = new();
    private int _disposed;

    public ContainerRuntime(RuntimeOptions options, ImageStore images, TimeProvider timeProvider, ILogger<ContainerRuntime>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _options = options;
        _images = images;
        _time = timeProvider;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _runc = new Lazy<RuncClient>(() => new RuncClient(RuncClient.FindRunc(options.RuncPath), options.RuncStateDir));
        _images.UsersOf = ContainersUsingImage;
    }

    /// <summary>
    /// A container's init process exited (raised once per run, on a thread-pool thread, after the
    /// runtime has removed its runc state and unmounted its root file system). Also raised by
    /// <see cref="RecoverAsync"/> for containers that exited while the daemon was down.
    /// </summary>
    public event EventHandler<ContainerExitedEventArgs>? ContainerExited;

    private RuncClient Runc => _runc.Value;

    /// <summary>
    /// Creates a container (state "created") from an image: checks the spec, resolves the image
    /// (not found names it), reserves the name and persists the record. Nothing runs yet.
    /// </summary>
    public async Task<ContainerInfo> CreateAsync(ContainerSpec spec, CancellationToken cancellationToken = default)
    {
        ContainerSpecValidator.Validate(spec);
        var requestedName = spec.Name is null ? null : ContainerNames.NormalizeName(spec.Name);

        await _images.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var image = _images.ResolveLocked(spec.Image);
            // A user the image does not have is refused now, before anything is made (resolved
            // again at every start, against the container's own files).
            ContainerUsers.Resolve(spec.User, _images.RootfsPath(image.Id));
            var id = ContainerNames.NewId();
            var paths = new ContainerPaths(_options, id);
            ContainerEntry entry;
            lock (_sync)
            {
                var name = requestedName ?? ContainerNames.Generate(n => FindByNameLocked(n) is not null);
                if (FindByNameLocked(name) is { } holder)
                {
                    throw RuntimeException.Conflict(
                        $"container name \"{name}\" is already in use by container {holder.Info.Id[..12]}: remove it or choose another name");
                }
                var info = new ContainerInfo
                {
                    Id = id,
                    Name = name,
                    Image = spec.Image,
                    ImageId = image.Id,
                    Cmd = [.. spec.Cmd],
                    Env = [.. spec.Env],
                    Hostname = spec.Hostname ?? id[..12],
                    WorkingDir = spec.WorkingDir ?? "/",
                    Created = _time.GetUtcNow(),
                    State = ContainerState.Created,
                    AutoRemove = spec.AutoRemove,
                    Networks = [.. spec.Networks],
                    NetworkMode = spec.NetworkMode,
                    Resources = spec.Resources,
                    RestartPolicy = spec.RestartPolicy,
                    ExtraHosts = [.. spec.ExtraHosts],
                    Ports = [.. spec.Ports],
                    Dns = [.. spec.Dns],
                    Labels = new Dictionary<string, string>(spec.Labels, StringComparer.Ordinal),
                    LogPath = paths.LogFile,
                    Mounts = [.. spec.Mounts],
                    ReadonlyRootfs = spec.ReadonlyRootfs,
                    User = string.IsNullOrEmpty(spec.User) ? null : spec.User,
                    DnsSearch = [.. spec.DnsSearch],
                    DnsOptions = [.. spec.DnsOptions],
                    StopSignal = string.IsNullOrEmpty(spec.StopSignal) ? null : spec.StopSignal,
                    StopTimeout = spec.StopTimeout,
                    Tty = spec.Tty,
                    OpenStdin = spec.OpenStdin,
                    StdinOnce = spec.StdinOnce,
                    ConsoleSize = spec.ConsoleSize is { } size ? [.. size] : null,
                };
                entry = new ContainerEntry(info, paths);
                _containers[id] = entry;
            }
            try
            {
                Directory.CreateDirectory(paths.UpperDir);
                Directory.CreateDirectory(paths.WorkDir);
                File.WriteAllBytes(paths.LogFile, []);
                File.WriteAllBytes(paths.ErrorLogFile, []);
                FailPoint.Hit(FailPointNames.ContainerCreateAfterFiles);
                Persist(entry);
                FailPoint.Hit(FailPointNames.ContainerCreateAfterRecord);
            }
            catch (Exception ex)
            {
                lock (_sync)
                {
                    _containers.Remove(id);
                }
                await ImageStore.DeleteTreeAsync(paths.DataDir, CancellationToken.None).ConfigureAwait(false);
                entry.Dispose();
                throw ex is RuntimeException ? ex : RuntimeException.Failed($"cannot create container files under {paths.DataDir}: {ex.Message}", ex);
            }
            Log.ContainerCreated(_logger, id, entry.Info.Name, spec.Image);
            return entry.Info;
        }
        finally
        {
            _images.Gate.Release();
        }
    }

    /// <summary>A container by id, unambiguous id prefix or name; throws not-found naming it.</summary>
    public ContainerInfo Inspect(string idOrName) => Find(idOrName).Info;

    /// <summary>Running containers, or every container with <paramref name="all"/>; newest first. Equivalent to: docker ps [-a].</summary>
    public IReadOnlyList<ContainerInfo> List(bool all = false)
    {
        lock (_sync)
        {
            return
            [
                .. _containers.Values.Select(e => e.Info)
                    .Where(i => all || i.State == ContainerState.Running)
                    .OrderByDescending(i => i.Created),
            ];
        }
    }

    /// <summary>Opens the container's stdout log for reading from the start.</summary>
    public Stream OpenLog(string idOrName)
    {
        var entry = Find(idOrName);
        return new FileStream(entry.Paths.LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
    }

    /// <summary>Opens the container's stdout and stderr for reading from the start, each read telling which stream it is.</summary>
    public ContainerLog OpenLogs(string idOrName)
    {
        var entry = Find(idOrName);
        return new ContainerLog(entry.Paths.LogFile, entry.Paths.ErrorLogFile);
    }

    /// <summary>The whole output as text, stdout then stderr. Equivalent to: docker logs NAME 2>&amp;1.</summary>
    public async Task<string> ReadLogAsync(string idOrName, CancellationToken cancellationToken = default)
    {
        var stdout = new System.Text.StringBuilder();
        var stderr = new System.Text.StringBuilder();
        var log = OpenLogs(idOrName);
        await using (log.ConfigureAwait(false))
        {
            var buffer = new byte[64 * 1024];
            while (await log.ReadAsync(buffer, cancellationToken).ConfigureAwait(false) is (var stream, > 0 and var n))
            {
                (stream == ContainerLog.Stdout ? stdout : stderr).Append(System.Text.Encoding.UTF8.GetString(buffer, 0, n));
            }
        }
        return stdout.Append(stderr).ToString();
    }

    /// <summary>
    /// A reading of a running container's cgroup counters (CPU, memory, pids, block I/O) and the
    /// host's CPU time; null when it is not running. Equivalent to the cgroup part of: docker stats.
    /// </summary>
    public ContainerStats? ReadStats(string idOrName)
    {
        var info = Find(idOrName).Info;
        if (info.State != ContainerState.Running || !InitProcess.IsAlive(info.Pid, info.PidStartTime))
        {
            return null;
        }
        try
        {
            return CgroupStats.Read(info.Pid, _time.GetUtcNow());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Exited between the check and the read (/proc/PID/cgroup gone).
            return null;
        }
    }

    /// <summary>Waits until the current run ends and returns the exited record; returns at once when not running.</summary>
    public async Task<ContainerInfo> WaitAsync(string idOrName, CancellationToken cancellationToken = default)
    {
        var entry = Find(idOrName);
        await entry.Lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        TaskCompletionSource<ContainerInfo> exit;
        try
        {
            if (entry.Info.State != ContainerState.Running)
            {
                return entry.Info;
            }
            exit = entry.RunExit;
        }
        finally
        {
            entry.Lock.Release();
        }
        return await exit.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops the exit watchers. Containers keep running; a new runtime recovers them.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        await _shutdown.CancelAsync().ConfigureAwait(false);
        List<Task> watchers;
        lock (_sync)
        {
            watchers = [.. _containers.Values.Select(e => e.Watcher).OfType<Task>()];
        }
        try
        {
            await Task.WhenAll(watchers).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        _shutdown.Dispose();
    }

    internal ContainerEntry Find(string idOrName)
    {
        if (string.IsNullOrWhiteSpace(idOrName))
        {
            throw RuntimeException.Invalid("container id or name is empty");
        }
        var key = idOrName.StartsWith('/') ? idOrName[1..] : idOrName;
        lock (_sync)
        {
            if (_containers.TryGetValue(key, out var byId))
            {
                return byId;
            }
            if (FindByNameLocked(key) is { } byName)
            {
                return byName;
            }
            if (key.All(Uri.IsHexDigit))
            {
                var matches = _containers.Values.Where(e => e.Info.Id.StartsWith(key, StringComparison.Ordinal)).Take(2).ToList();
                if (matches.Count == 1)
                {
                    return matches[0];
                }
                if (matches.Count > 1)
                {
                    throw RuntimeException.Invalid($"container id prefix \"{idOrName}\" is ambiguous: give more digits");
                }
            }
        }
        throw RuntimeException.NotFound($"no such container: \"{idOrName}\"");
    }

    private ContainerEntry? FindByNameLocked(string name) =>
        _containers.Values.FirstOrDefault(e => string.Equals(e.Info.Name, name, StringComparison.Ordinal));

    private IReadOnlyList<string> ContainersUsingImage(string imageId)
    {
        lock (_sync)
        {
            return [.. _containers.Values.Where(e => e.Info.ImageId == imageId).Select(e => e.Info.Id)];
        }
    }

    private void Persist(ContainerEntry entry) =>
        AtomicFile.WriteAllBytes(entry.Paths.RecordFile, JsonSerializer.SerializeToUtf8Bytes(entry.Info, RuntimeJsonContext.Default.ContainerInfo));
}
