using Netstack.Runtime.Images;
using Netstack.Runtime.Storage;
using Netstack.Core.FailPoints;
using Netstack.Runtime.Runc;

namespace Netstack.Runtime.Containers;

public sealed partial class ContainerRuntime
{
    /// <summary>Docker's default grace period between SIGTERM and SIGKILL.</summary>
    public static readonly TimeSpan DefaultStopTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How long the shim may take, after init has gone, to record the exit status (runc reaps and cleans its cgroup first).</summary>
    private static readonly TimeSpan ExitStatusWait = TimeSpan.FromSeconds(10);

    /// <summary>The exit status reported when nobody could learn the real one (runc itself was killed).</summary>
    public const int UnknownExitCode = 255;

    /// <summary>
    /// Stops a running container: its stop signal (SIGTERM unless <c>--stop-signal</c>, or
    /// <paramref name="signal"/>), then SIGKILL after <paramref name="timeout"/> (the container's
    /// <c>--stop-timeout</c>, else 10 s; negative waits for ever). A container's init (pid 1 of its
    /// namespace) gets only the signals it handles, so one that ignores SIGTERM is killed at the
    /// end of the wait, as with Docker without <c>--init</c>. Returns the exited record; a
    /// container that is not running is returned as is. Equivalent to: docker stop [-s SIG] -t SECONDS NAME.
    /// </summary>
    public Task<ContainerInfo> StopAsync(string idOrName, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        StopAsync(idOrName, timeout, null, cancellationToken);

    /// <inheritdoc cref="StopAsync(string, TimeSpan?, CancellationToken)"/>
    public async Task<ContainerInfo> StopAsync(string idOrName, TimeSpan? timeout, string? signal, CancellationToken cancellationToken = default)
    {
        var entry = Find(idOrName);
        var number = Signals.Parse(string.IsNullOrEmpty(signal) ? entry.Info.StopSignal ?? "SIGTERM" : signal);
        var wait = timeout ?? (entry.Info.StopTimeout is { } seconds ? TimeSpan.FromSeconds(seconds) : DefaultStopTimeout);
        var exit = await SignalIfRunningAsync(entry, number.ToString(System.Globalization.CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
        if (exit is null)
        {
            return entry.Info;
        }
        FailPoint.Hit(FailPointNames.ContainerStopAfterSignal);
        try
        {
            var exited = AwaitExitAsync(entry, exit, cancellationToken);
            return wait < TimeSpan.Zero
                ? await exited.ConfigureAwait(false)
                : await exited.WaitAsync(wait, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            await SignalIfRunningAsync(entry, "KILL", cancellationToken).ConfigureAwait(false);
            return await AwaitExitAsync(entry, exit, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Sends a signal (name like SIGHUP or number) to the container's init process; conflict when it is not running. Equivalent to: docker kill -s SIG NAME.</summary>
    public async Task<ContainerInfo> KillAsync(string idOrName, string signal = "SIGKILL", CancellationToken cancellationToken = default)
    {
        var number = Signals.Parse(signal);
        var entry = Find(idOrName);
        var exit = await SignalIfRunningAsync(entry, number.ToString(System.Globalization.CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
        if (exit is null)
        {
            throw RuntimeException.Conflict($"container {entry.Info.Name} is not running");
        }
        return entry.Info;
    }

    /// <summary>
    /// Removes a container: its record, log, writable layer and any runc state or mount. A running
    /// container is a conflict unless <paramref name="force"/>, which kills it first.
    /// Equivalent to: docker rm [-f] NAME.
    /// </summary>
    public async Task<ContainerInfo> DeleteAsync(string idOrName, bool force = false, CancellationToken cancellationToken = default)
    {
        var entry = Find(idOrName);
        if (entry.Info.State == ContainerState.Running)
        {
            if (!force)
            {
                throw RuntimeException.Conflict($"container {entry.Info.Name} is running: stop it first or remove it with force");
            }
            var exit = await SignalIfRunningAsync(entry, "KILL", cancellationToken).ConfigureAwait(false);
            if (exit is not null)
            {
                await AwaitExitAsync(entry, exit, cancellationToken).ConfigureAwait(false);
            }
            FailPoint.Hit(FailPointNames.ContainerRemoveAfterKill);
        }

        // No image gate here: the container stays among the image's users until its rootfs is
        // unmounted and its files are gone, so an image rm meanwhile is refused as before, and
        // removals (rm -f of many) run side by side instead of one after the other.
        await entry.Lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (entry.Deleted)
            {
                throw RuntimeException.NotFound($"no such container: \"{idOrName}\"");
            }
            if (entry.Info.State == ContainerState.Running)
            {
                // Started again between the kill and now.
                throw RuntimeException.Conflict($"container {entry.Info.Name} is running: stop it first or remove it with force");
            }
            // Teardown tries every step and reports all failures together.
            var errors = new List<Exception>();
            await TryStepAsync(errors, async () =>
            {
                await RemoveBundleAsync(entry, CancellationToken.None).ConfigureAwait(false);
                FailPoint.Hit(FailPointNames.ContainerRemoveAfterBundle);
            }).ConfigureAwait(false);
            await TryStepAsync(errors, async () =>
            {
                await ImageStore.DeleteTreeAsync(entry.Paths.DataDir, CancellationToken.None).ConfigureAwait(false);
                FailPoint.Hit(FailPointNames.ContainerRemoveAfterFiles);
            }).ConfigureAwait(false);
            if (errors.Count > 0)
            {
                throw RuntimeException.Failed(
                    $"removing container {entry.Info.Name} left something behind: {string.Join("; ", errors.Select(e => e.Message))}",
                    new AggregateException(errors));
            }
            entry.Deleted = true;
            entry.WatchCancel?.Cancel();
            lock (_sync)
            {
                _containers.Remove(entry.Info.Id);
            }
            Log.ContainerDeleted(_logger, entry.Info.Id);
            return entry.Info;
        }
        finally
        {
            entry.Lock.Release();
        }
    }

    /// <summary>
    /// Signals the container if it runs and returns its run's exit task, else null. When runc no
    /// longer knows the container its process is already gone, so the exit is recorded here
    /// rather than left to the watcher (which may not run, e.g. after the runtime was disposed).
    /// </summary>
    private async Task<TaskCompletionSource<ContainerInfo>?> SignalIfRunningAsync(ContainerEntry entry, string signal, CancellationToken cancellationToken)
    {
        TaskCompletionSource<ContainerInfo> exit;
        await entry.Lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (entry.Deleted || entry.Info.State != ContainerState.Running)
            {
                return null;
            }
            exit = entry.RunExit;
            // Straight to the init process when we know it (no runc process per kill: an rm -f of
            // 150 containers spent a median 65 ms per container in `runc kill` on a loaded machine);
            // runc when the pid is not known.
            var sent = InitProcess.TrySignal(entry.Info.Pid, entry.Info.PidStartTime, Signals.Parse(signal))
                ?? await Runc.KillAsync(entry.Info.Id, signal, all: false, cancellationToken).ConfigureAwait(false);
            if (sent)
            {
                return exit;
            }
        }
        finally
        {
            entry.Lock.Release();
        }
        await WaitForExitStatusAsync(entry, cancellationToken).ConfigureAwait(false);
        await HandleExitAsync(entry, cancellationToken).ConfigureAwait(false);
        return exit;
    }

    /// <summary>How often a caller that has just signalled a container looks for its end.</summary>
    private static readonly TimeSpan SignalledPollInterval = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// Waits for the end of a run we have just signalled. The watcher would notice within its
    /// (slow, cheap) poll interval; a caller waiting on a stop or a forced removal looks faster
    /// itself and records the exit when it sees it (recording is idempotent).
    /// </summary>
    private async Task<ContainerInfo> AwaitExitAsync(ContainerEntry entry, TaskCompletionSource<ContainerInfo> exit, CancellationToken cancellationToken)
    {
        var info = entry.Info;
        while (!exit.Task.IsCompleted)
        {
            if (!InitProcess.IsAlive(info.Pid, info.PidStartTime))
            {
                await WaitForExitStatusAsync(entry, cancellationToken).ConfigureAwait(false);
                await HandleExitAsync(entry, cancellationToken).ConfigureAwait(false);
                break;
            }
            await Task.WhenAny(exit.Task, Task.Delay(SignalledPollInterval, _time, cancellationToken)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
        return await exit.Task.ConfigureAwait(false);
    }

    private void StartWatcher(ContainerEntry entry)
    {
        entry.WatchCancel?.Dispose();
        entry.WatchCancel = CancellationTokenSource.CreateLinkedTokenSource(_shutdown.Token);
        var token = entry.WatchCancel.Token;
        var info = entry.Info;
        entry.Watcher = Task.Run(() => WatchAsync(entry, info.Pid, info.PidStartTime, token), CancellationToken.None);
    }

    /// <summary>
    /// Polls the init process (see <see cref="InitProcess"/>) until it is gone, waits for the shim
    /// to record the exit status, then cleans up and raises <see cref="ContainerExited"/>.
    /// </summary>
    private async Task WatchAsync(ContainerEntry entry, int pid, ulong startTime, CancellationToken cancellationToken)
    {
        try
        {
            while (InitProcess.IsAlive(pid, startTime))
            {
                await Task.Delay(_options.ExitPollInterval, _time, cancellationToken).ConfigureAwait(false);
            }
            await WaitForExitStatusAsync(entry, cancellationToken).ConfigureAwait(false);
            await HandleExitAsync(entry, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Runtime disposed or container deleted; the container itself is left alone.
        }
        catch (Exception ex)
        {
            Log.WatcherFailed(_logger, entry.Info.Id, ex);
        }
    }

    /// <summary>The init process is gone: give the shim time to write runc's exit status (runc reaps and removes its cgroup first).</summary>
    private async Task WaitForExitStatusAsync(ContainerEntry entry, CancellationToken cancellationToken)
    {
        var deadline = _time.GetUtcNow() + ExitStatusWait;
        while (!File.Exists(entry.Paths.ExitFile) && _time.GetUtcNow() < deadline && IsShimAlive(entry.Paths))
        {
            // Short: the shim writes the status right after runc returns.
            await Task.Delay(SignalledPollInterval, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Records the end of a run: exit status, runc state and root file system removed, event raised.</summary>
    private async Task HandleExitAsync(ContainerEntry entry, CancellationToken cancellationToken)
    {
        ContainerInfo exited;
        TaskCompletionSource<ContainerInfo> exit;
        await entry.Lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (entry.Deleted || entry.Info.State != ContainerState.Running)
            {
                return;
            }
            var code = TryReadInt(entry.Paths.ExitFile) ?? UnknownExitCode;
            // Before the runc delete below removes the cgroup with its counters.
            var oomKilled = CgroupFiles.OomKills(CgroupsPath(entry.Info.Id)) > 0;
            var errors = new List<Exception>();
            await TryStepAsync(errors, () => RemoveBundleAsync(entry, CancellationToken.None)).ConfigureAwait(false);
            foreach (var error in errors)
            {
                Log.CleanupFailed(_logger, entry.Info.Id, error);
            }
            exited = entry.Info with
            {
                State = ContainerState.Exited,
                ExitCode = code,
                OomKilled = oomKilled,
                FinishedAt = _time.GetUtcNow(),
                Pid = 0,
                PidStartTime = 0,
            };
            entry.Info = exited;
            // The run's stdin went with it.
            entry.Console?.Dispose();
            entry.Console = null;
            exit = entry.RunExit;
            try
            {
                Persist(entry);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The exit is real either way; waiters must not hang on a full disk. The next
                // recovery finds the record "running" with no process and records the exit again.
                Log.CleanupFailed(_logger, exited.Id, ex);
            }
            Log.ContainerExited(_logger, exited.Id, code);
        }
        finally
        {
            entry.Lock.Release();
        }
        // Subscribers hear of the exit before a waiting stop or removal returns.
        RaiseExited(exited);
        exit.TrySetResult(exited);
    }

    private void RaiseExited(ContainerInfo exited)
    {
        try
        {
            ContainerExited?.Invoke(this, new ContainerExitedEventArgs(exited));
        }
#pragma warning disable CA1031 // A subscriber's failure must not stop the watcher or hide the exit from others.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.ExitHandlerFailed(_logger, exited.Id, ex);
        }
    }

    /// <summary>
    /// Removes everything of a run: runc's state (and cgroup), the root file system mount and the
    /// bundle directory. Every step is tried; the first failure is thrown after the others ran.
    /// </summary>
    private async Task RemoveBundleAsync(ContainerEntry entry, CancellationToken cancellationToken)
    {
        var errors = new List<Exception>();
        var id = entry.Info.Id;
        var paths = entry.Paths;
        // runc keeps a container's state in <state root>/<id>/ from `runc create` until `runc delete`;
        // without that directory runc does not know the container and a delete would only start a
        // runc process to say so (3-8 ms at the start of every first start, measured for
        // scenarios/bench/README-run.md).
        var runcState = Path.Combine(_options.RuncStateDir, id);
        if (Directory.Exists(runcState))
        {
            await TryStepAsync(errors, async () =>
            {
                // A container whose init has ended is removed as runc would remove it, without a
                // runc process (StoppedContainerState says when); any other goes through runc.
                if (await StoppedContainerState.TryRemoveAsync(runcState, cancellationToken).ConfigureAwait(false) is { } leftToRunc)
                {
                    Log.RuncDeleteNeeded(_logger, id, leftToRunc);
                    await Runc.DeleteAsync(id, cancellationToken).ConfigureAwait(false);
                }
            }).ConfigureAwait(false);
        }
        // The shim of this run must be gone before the bundle is: a late write of its exit file
        // into the next run's bundle would read as that run's end.
        await TryStepAsync(errors, () => WaitForShimExitAsync(paths, cancellationToken)).ConfigureAwait(false);
        await TryStepAsync(errors, () => RootfsMounts.UnmountAsync(paths.Rootfs, cancellationToken)).ConfigureAwait(false);
        if (errors.Count == 0)
        {
            // Never delete a bundle whose rootfs is still mounted: that would delete the container's files.
            await TryStepAsync(errors, () => ImageStore.DeleteTreeAsync(paths.BundleDir, cancellationToken)).ConfigureAwait(false);
        }
        if (errors.Count > 0)
        {
            throw errors.Count == 1 ? errors[0] : new AggregateException(errors);
        }
    }

    private async Task WaitForShimExitAsync(ContainerPaths paths, CancellationToken cancellationToken)
    {
        var deadline = _time.GetUtcNow() + ExitStatusWait;
        while (IsShimAlive(paths))
        {
            if (_time.GetUtcNow() > deadline)
            {
                throw RuntimeException.Failed($"the shim of container {Path.GetFileName(paths.BundleDir)} did not end after runc delete");
            }
            await Task.Delay(SignalledPollInterval, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Whether the shim of the current bundle runs: its pid is alive and still runs our shim script (not a reused pid).</summary>
    private static bool IsShimAlive(ContainerPaths paths)
    {
        if (TryReadInt(paths.ShimPidFile) is not { } shim || !InitProcess.IsAlive(shim, 0))
        {
            return false;
        }
        try
        {
            // /proc/PID/cmdline: the arguments separated by NUL bytes.
            return File.ReadAllText($"/proc/{shim.ToString(System.Globalization.CultureInfo.InvariantCulture)}/cmdline")
                .Split('\0').Contains(paths.ShimScript);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static async Task TryStepAsync(List<Exception> errors, Func<Task> step)
    {
        try
        {
            await step().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Teardown collects every failure and keeps going.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            errors.Add(ex);
        }
    }
}
