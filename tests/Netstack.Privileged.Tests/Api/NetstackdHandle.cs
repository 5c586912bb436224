namespace Netstack.Privileged.Tests.Api;

/// <summary>
/// What a test's handle on one netstackd process shares with the others: the process
/// (<see cref="NetstackdInstance"/>), its directory, socket and log, and starting, stopping and
/// killing it. A subclass adds the host it runs in and what its tests ask the daemon.
/// </summary>
internal abstract class NetstackdHandle : IAsyncDisposable
{
    private protected NetstackdHandle(NetstackdInstance daemon)
    {
        Daemon = daemon;
    }

    public string Directory => Daemon.Directory;

    public string HostUri => Daemon.HostUri;

    public string Log => Daemon.Log;

    private protected NetstackdInstance Daemon { get; }

    /// <summary>Environment variables of the next launches.</summary>
    public Dictionary<string, string> Environment => Daemon.Environment;

    /// <summary>Whether the process is alive.</summary>
    public bool Running => Daemon.Running;

    /// <summary>Waits at most <paramref name="timeout"/> for the process to end by itself; true when it did.</summary>
    public Task<bool> WaitForExitAsync(TimeSpan timeout) => Daemon.WaitForExitAsync(timeout);

    /// <summary>Starts the daemon (again) on the same directories and flags, and waits until its socket answers.</summary>
    public Task LaunchAsync() => Daemon.LaunchAsync();

    /// <summary>SIGKILL (<c>kill -9 PID</c>): the daemon gets no chance to clean up or leave a cluster, as in a crash.</summary>
    public Task KillHardAsync() => Daemon.KillHardAsync();

    /// <summary>SIGTERM and wait: a clean stop (a gossip node leaves its cluster).</summary>
    public Task StopAsync() => Daemon.StopAsync();

    public abstract ValueTask DisposeAsync();

    /// <summary>Launches <paramref name="handle"/>'s daemon; when that fails, disposes the handle (everything it made) before the error goes on.</summary>
    private protected static async Task<T> LaunchedAsync<T>(T handle)
        where T : NetstackdHandle
    {
        try
        {
            await handle.LaunchAsync();
            return handle;
        }
        catch
        {
            await handle.DisposeAsync();
            throw;
        }
    }
}
