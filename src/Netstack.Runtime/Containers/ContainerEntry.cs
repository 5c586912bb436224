namespace Netstack.Runtime.Containers;

/// <summary>The runtime's in-memory handle on one container.</summary>
internal sealed class ContainerEntry(ContainerInfo info, ContainerPaths paths) : IDisposable
{
    private volatile ContainerInfo _info = info;

    public ContainerInfo Info
    {
        get => _info;
        set => _info = value;
    }

    public ContainerPaths Paths { get; } = paths;

    /// <summary>Held by every lifecycle step (start, exit handling, kill, delete), never across a wait for the exit.</summary>
    public SemaphoreSlim Lock { get; } = new(1, 1);

    /// <summary>Completed with the exited record when the current run ends.</summary>
    public TaskCompletionSource<ContainerInfo> RunExit { get; set; } = NewExit();

    public CancellationTokenSource? WatchCancel { get; set; }

    public Task? Watcher { get; set; }

    public bool Deleted { get; set; }

    /// <summary>Taken while the stdin of the run is fetched from the shim.</summary>
    public SemaphoreSlim ConsoleLock { get; } = new(1, 1);

    /// <summary>The run's stdin (terminal master or pipe) once asked for; see <see cref="ConsoleRun"/>.</summary>
    public ContainerConsole? Console { get; set; }

    /// <summary>Which run <see cref="Console"/> belongs to (pid plus start time), so a new run asks its own shim.</summary>
    public ulong ConsoleRun { get; set; }

    public static TaskCompletionSource<ContainerInfo> NewExit() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Dispose()
    {
        Lock.Dispose();
        ConsoleLock.Dispose();
        Console?.Dispose();
        WatchCancel?.Dispose();
    }
}
