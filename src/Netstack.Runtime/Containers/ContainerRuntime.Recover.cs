using System.Text.Json;
using Netstack.Runtime.Images;
using Netstack.Runtime.Storage;

namespace Netstack.Runtime.Containers;

public sealed partial class ContainerRuntime
{
    /// <summary>
    /// Rebuilds the runtime's view after a daemon (re)start from the records on disk and runc's
    /// state: running containers get an exit watcher again; those that exited while the daemon was
    /// away are cleaned up and reported through <see cref="ContainerExited"/>; runc containers,
    /// bundles and half-created directories that belong to no record are removed, and so are the
    /// files of exec holders that died with the last daemon.
    /// Returns every known container. Call once, after subscribing to the event.
    /// </summary>
    public async Task<IReadOnlyList<ContainerInfo>> RecoverAsync(CancellationToken cancellationToken = default)
    {
        SweepExecHolders();
        var loaded = LoadRecords();
        var runcStates = Directory.Exists(_options.RuncStateDir)
            ? (await Runc.ListAsync(cancellationToken).ConfigureAwait(false)).ToDictionary(s => s.Id, StringComparer.Ordinal)
            : [];
        var exitedWhileAway = new List<ContainerEntry>();

        foreach (var entry in loaded)
        {
            lock (_sync)
            {
                if (!_containers.TryAdd(entry.Info.Id, entry))
                {
                    continue;
                }
            }
            runcStates.TryGetValue(entry.Info.Id, out var state);
            var alive = state is not null && state.Status is "running" or "created" && InitProcess.ReadStartTime(state.Pid) is not null;
            if (alive)
            {
                // Running, or started just before a crash that came before its record said so.
                var pid = state!.Pid;
                var startTime = InitProcess.ReadStartTime(pid) ?? 0;
                if (entry.Info.State != ContainerState.Running || entry.Info.Pid != pid)
                {
                    entry.Info = entry.Info with
                    {
                        State = ContainerState.Running,
                        Pid = pid,
                        PidStartTime = startTime,
                        StartedAt = entry.Info.StartedAt ?? _time.GetUtcNow(),
                    };
                    Persist(entry);
                }
                StartWatcher(entry);
            }
            else if (entry.Info.State == ContainerState.Running)
            {
                exitedWhileAway.Add(entry);
            }
            else
            {
                // Created or exited: any bundle is left over from a start that died half-way.
                await RemoveBundleAsync(entry, cancellationToken).ConfigureAwait(false);
            }
            Log.ContainerRecovered(_logger, entry.Info.Id, entry.Info.State.ToString());
        }

        await RemoveOrphansAsync(runcStates.Keys, cancellationToken).ConfigureAwait(false);

        foreach (var entry in exitedWhileAway)
        {
            // It may have ended a moment ago, with the shim still about to record the status.
            await WaitForExitStatusAsync(entry, cancellationToken).ConfigureAwait(false);
            await HandleExitAsync(entry, cancellationToken).ConfigureAwait(false);
        }
        return List(all: true);
    }

    private List<ContainerEntry> LoadRecords()
    {
        var entries = new List<ContainerEntry>();
        if (!Directory.Exists(_options.ContainersDataDir))
        {
            return entries;
        }
        foreach (var dir in Directory.EnumerateDirectories(_options.ContainersDataDir))
        {
            var id = Path.GetFileName(dir);
            if (!ContainerNames.IsId(id))
            {
                continue;
            }
            var paths = new ContainerPaths(_options, id);
            try
            {
                var info = JsonSerializer.Deserialize(File.ReadAllBytes(paths.RecordFile), RuntimeJsonContext.Default.ContainerInfo);
                if (info is not null && info.Id == id)
                {
                    entries.Add(new ContainerEntry(info, paths));
                }
            }
            catch (FileNotFoundException)
            {
                // A create that died before writing its record: nothing refers to it.
                Log.OrphanRemoved(_logger, id);
                ImageStore.DeleteTreeAsync(dir, CancellationToken.None).GetAwaiter().GetResult();
            }
            catch (Exception ex) when (ex is IOException or JsonException)
            {
                Log.ContainerUnreadable(_logger, paths.RecordFile, ex);
            }
        }
        return entries;
    }

    /// <summary>runc containers and bundles under our roots that no record owns: killed and removed.</summary>
    private async Task RemoveOrphansAsync(IEnumerable<string> runcIds, CancellationToken cancellationToken)
    {
        HashSet<string> known;
        lock (_sync)
        {
            known = [.. _containers.Keys];
        }
        var orphans = new HashSet<string>(runcIds.Where(id => !known.Contains(id)), StringComparer.Ordinal);
        if (Directory.Exists(_options.BundlesDir))
        {
            foreach (var dir in Directory.EnumerateDirectories(_options.BundlesDir))
            {
                var id = Path.GetFileName(dir);
                if (!known.Contains(id))
                {
                    orphans.Add(id);
                }
            }
        }
        foreach (var id in orphans)
        {
            Log.OrphanRemoved(_logger, id);
            var entry = new ContainerEntry(
                new ContainerInfo { Id = id, Name = id, Image = "", ImageId = "", Hostname = "" },
                new ContainerPaths(_options, id));
            using (entry)
            {
                var errors = new List<Exception>();
                await TryStepAsync(errors, () => Runc.KillAsync(id, "KILL", all: false, cancellationToken)).ConfigureAwait(false);
                await TryStepAsync(errors, () => RemoveBundleAsync(entry, cancellationToken)).ConfigureAwait(false);
                foreach (var error in errors)
                {
                    Log.CleanupFailed(_logger, id, error);
                }
            }
        }
    }
}
