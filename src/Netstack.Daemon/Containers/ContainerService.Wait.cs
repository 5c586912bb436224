using Netstack.Core;
using Netstack.Runtime;
using Netstack.Runtime.Containers;

namespace Netstack.Daemon.Containers;

/// <summary>
/// The engine's wait conditions. The docker CLI asks for <c>next-exit</c> (or <c>removed</c> with
/// <c>--rm</c>) before it starts the container, so "the next exit" is any exit after the wait was
/// asked, and the container may not be running yet when it is asked.
/// </summary>
internal sealed partial class ContainerService
{
    public const string WaitNotRunning = "not-running";
    public const string WaitNextExit = "next-exit";
    public const string WaitRemoved = "removed";

    /// <summary>Raised with the container's id once it has been removed (rm, or --rm after its exit).</summary>
    private event Action<string>? Removed;

    /// <summary>The condition as the engine names it, or a 400 naming it.</summary>
    public static string ParseWaitCondition(string? condition) => condition switch
    {
        null or "" or WaitNotRunning => WaitNotRunning,
        WaitNextExit or WaitRemoved => condition,
        _ => throw new InvalidParameterException("condition", condition, $"expected {WaitNotRunning}, {WaitNextExit} or {WaitRemoved}"),
    };

    /// <summary>
    /// Registers the wait now (so an exit right after is not missed) and returns the task that
    /// completes with the exit status when <paramref name="condition"/> holds.
    /// </summary>
    public Task<int> BeginWaitAsync(string reference, string condition, CancellationToken cancellationToken)
    {
        var info = _runtime.Inspect(reference);
        if (condition == WaitNotRunning)
        {
            return WaitAsync(info.Id, cancellationToken);
        }
        var id = info.Id;
        var exited = new TaskCompletionSource<ContainerInfo>(TaskCreationOptions.RunContinuationsAsynchronously);
        var removed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        EventHandler<ContainerExitedEventArgs> onExit = (_, e) =>
        {
            if (e.Container.Id == id)
            {
                exited.TrySetResult(e.Container);
            }
        };
        Action<string> onRemoved = removedId =>
        {
            if (removedId == id)
            {
                removed.TrySetResult();
            }
        };
        _runtime.ContainerExited += onExit;
        Removed += onRemoved;
        return WaitCoreAsync();

        async Task<int> WaitCoreAsync()
        {
            try
            {
                if (condition == WaitRemoved)
                {
                    // Removed without running again (a start that failed under --rm) ends the wait too.
                    await Task.WhenAny(removed.Task, CheckGoneAsync()).WaitAsync(cancellationToken).ConfigureAwait(false);
                    return exited.Task.IsCompletedSuccessfully ? exited.Task.Result.ExitCode ?? ContainerRuntime.UnknownExitCode : info.ExitCode ?? 0;
                }
                // A container removed before it ran again (rm of a created one) has no next exit: the wait ends.
                await Task.WhenAny(exited.Task, removed.Task).WaitAsync(cancellationToken).ConfigureAwait(false);
                if (!exited.Task.IsCompletedSuccessfully)
                {
                    return info.ExitCode ?? 0;
                }
                await ReleaseAsync(id).ConfigureAwait(false);
                return exited.Task.Result.ExitCode ?? ContainerRuntime.UnknownExitCode;
            }
            finally
            {
                _runtime.ContainerExited -= onExit;
                Removed -= onRemoved;
            }
        }

        // A removal between the Inspect above and the subscription would never be raised again.
        async Task CheckGoneAsync()
        {
            await Task.Yield();
            if (TryFind(id) is null)
            {
                return;
            }
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
    }

    private void RaiseRemoved(string id)
    {
        try
        {
            Removed?.Invoke(id);
        }
        catch (Exception e)
        {
            Log.ContainerCleanupFailed(_logger, id, e);
        }
    }
}
