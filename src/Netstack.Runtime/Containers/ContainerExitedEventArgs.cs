namespace Netstack.Runtime.Containers;

/// <summary>
/// Raised once per run when a container's init process has exited and the runtime has cleaned up
/// its runc state and root file system. The daemon disconnects the container's networks (unless it
/// is kept for a restart) and, for <see cref="ContainerInfo.AutoRemove"/>, deletes it.
/// </summary>
public sealed class ContainerExitedEventArgs(ContainerInfo container) : EventArgs
{
    /// <summary>The container in its exited state, with <see cref="ContainerInfo.ExitCode"/> set.</summary>
    public ContainerInfo Container { get; } = container;
}
