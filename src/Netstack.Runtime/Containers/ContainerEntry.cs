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

    public static TaskCompletionSource<ContainerInfo> NewExit() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Dispose()
    {
        Lock.Dispose();
        WatchCancel?.Dispose();
    }
}
