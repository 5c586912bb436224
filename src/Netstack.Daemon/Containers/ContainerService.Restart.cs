using System.Collections.Concurrent;
using Netstack.Api.Contracts.Containers;
using Netstack.Core;
using Netstack.Runtime;
using Netstack.Runtime.Containers;
using ContainerState = Netstack.Runtime.Containers.ContainerState;

namespace Netstack.Daemon.Containers;

/// <summary>
/// Restart policies as Docker has them: <c>no</c>, <c>always</c>, <c>unless-stopped</c> and
/// <c>on-failure[:N]</c>, applied when a container exits by itself (a user's stop or kill holds
/// them back) and once at daemon start for containers that are not running. Restarts back off as
/// Docker's do: 100 ms doubling to at most a minute, back to 100 ms after a run of 10 s or more.
/// </summary>
internal sealed partial class ContainerService
{
    public const string RestartNo = "no";
    public const string RestartAlways = "always";
    public const string RestartUnlessStopped = "unless-stopped";
    public const string RestartOnFailure = "on-failure";

    private static readonly TimeSpan FirstBackOff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxBackOff = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan ResetBackOffAfter = TimeSpan.FromSeconds(10);

    // Consecutive quick restarts per container, for the back-off; in memory, as Docker keeps it.
    private readonly ConcurrentDictionary<string, int> _backOff = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _restarts = new();

    // One per container with a policy: a policy's check-and-start and a user's stop never interleave,
    // so a stop that comes while a restart is due either prevents it or stops what it started.
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _policyLocks = new(StringComparer.Ordinal);

    private SemaphoreSlim PolicyLock(string id) => _policyLocks.GetOrAdd(id, _ => new SemaphoreSlim(1, 1));

    /// <summary>HostConfig.RestartPolicy checked (a 400 naming it) and kept; null for "no".</summary>
    internal static RestartPolicySpec? ToRestartPolicy(HostConfig? host)
    {
        var policy = host?.RestartPolicy;
        var name = policy?.Name;
        if (string.IsNullOrEmpty(name) || name == RestartNo)
        {
            return policy is { MaximumRetryCount: not 0 }
                ? throw new InvalidParameterException("HostConfig.RestartPolicy.MaximumRetryCount", policy.MaximumRetryCount.ToString(System.Globalization.CultureInfo.InvariantCulture), "a maximum retry count needs the on-failure policy")
                : null;
        }
        if (name is not (RestartAlways or RestartUnlessStopped or RestartOnFailure))
        {
            throw new InvalidParameterException("HostConfig.RestartPolicy.Name", name, $"expected {RestartNo}, {RestartAlways}, {RestartUnlessStopped} or {RestartOnFailure}[:N]");
        }
        if (policy!.MaximumRetryCount < 0)
        {
            throw new InvalidParameterException("HostConfig.RestartPolicy.MaximumRetryCount", policy.MaximumRetryCount.ToString(System.Globalization.CultureInfo.InvariantCulture), "must not be negative");
        }
        if (policy.MaximumRetryCount != 0 && name != RestartOnFailure)
        {
            throw new InvalidParameterException("HostConfig.RestartPolicy.MaximumRetryCount", policy.MaximumRetryCount.ToString(System.Globalization.CultureInfo.InvariantCulture), $"a maximum retry count cannot be used with the {name} policy");
        }
        if (host!.AutoRemove)
        {
            throw new InvalidParameterException("HostConfig.RestartPolicy.Name", name, "conflicting options: a container removed at its exit (--rm) cannot be restarted");
        }
        return new RestartPolicySpec(name, policy.MaximumRetryCount);
    }

    /// <summary>Docker's rule: whether a container that is not running is to be started again.</summary>
    internal static bool ShouldRestart(ContainerInfo info, bool atDaemonStart) => info.RestartPolicy?.Name switch
    {
        // always: even after a user's stop, once the daemon starts again.
        RestartAlways => atDaemonStart || !info.ManuallyStopped,
        RestartUnlessStopped => !info.ManuallyStopped,
        RestartOnFailure => !info.ManuallyStopped && info.ExitCode is not (null or 0)
            && (info.RestartPolicy.MaximumRetryCount == 0 || info.RestartCount < info.RestartPolicy.MaximumRetryCount),
        _ => false,
    };

    /// <summary>Once at daemon start, after recovery: containers whose policy says so are started again.</summary>
    public async Task ApplyRestartPoliciesAsync(CancellationToken cancellationToken)
    {
        foreach (var info in _runtime.List(all: true))
        {
            if (info.State == ContainerState.Exited && ShouldRestart(info, atDaemonStart: true))
            {
                await RestartByPolicyAsync(info.Id, TimeSpan.Zero, atDaemonStart: true, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>After an exit (the container's release is done): schedules the restart its policy asks for, with back-off.</summary>
    private void ScheduleRestart(ContainerInfo exited)
    {
        if (!ShouldRestart(exited, atDaemonStart: false) || _restarts.IsCancellationRequested)
        {
            return;
        }
        var ran = exited.FinishedAt - exited.StartedAt;
        var quick = ran is { } d && d < ResetBackOffAfter;
        var attempt = quick ? _backOff.AddOrUpdate(exited.Id, 0, (_, n) => Math.Min(n + 1, 20)) : _backOff[exited.Id] = 0;
        var delay = TimeSpan.FromTicks(Math.Min(MaxBackOff.Ticks, FirstBackOff.Ticks << Math.Min(attempt, 20)));
        _ = RestartByPolicyAsync(exited.Id, delay, atDaemonStart: false, _restarts.Token);
    }

    private async Task RestartByPolicyAsync(string id, TimeSpan delay, bool atDaemonStart, CancellationToken cancellationToken)
    {
        try
        {
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            }
            var gate = PolicyLock(id);
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                // The user may have stopped, removed or started it meanwhile.
                var info = TryFind(id);
                if (info is null || info.State != ContainerState.Exited || !ShouldRestart(info, atDaemonStart))
                {
                    return;
                }
                // A daemon start's restart of a stopped "always" container ends the user's stop, as Docker's does.
                await _runtime.AmendAsync(id, c => c with { RestartCount = c.RestartCount + 1, ManuallyStopped = c.ManuallyStopped && !atDaemonStart }, cancellationToken).ConfigureAwait(false);
                await StartCoreAsync(id, cancellationToken).ConfigureAwait(false);
                Log.ContainerRestarted(_logger, id, info.RestartCount + 1);
            }
            finally
            {
                gate.Release();
            }
        }
        catch (OperationCanceledException)
        {
            // The daemon is stopping: the next start applies the policy again.
        }
        catch (Exception e)
        {
            Log.ContainerRestartFailed(_logger, id, e);
        }
    }

    /// <summary>A removed container's policy lock and back-off go with it (they were kept per container id ever seen).</summary>
    private void ForgetRestartState(string id)
    {
        _policyLocks.TryRemove(id, out _);
        _backOff.TryRemove(id, out _);
    }

    /// <summary>A user's start: the policy counts from zero again and no longer holds back.</summary>
    private async Task MarkStartedByUserAsync(string id, CancellationToken cancellationToken)
    {
        _backOff.TryRemove(id, out _);
        await _runtime.AmendAsync(id, c => c with { RestartCount = 0, ManuallyStopped = false }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A user's stop or kill: the exit it causes restarts nothing (unless-stopped stays stopped across daemon restarts).</summary>
    private async Task MarkStoppedByUserAsync(string reference, CancellationToken cancellationToken)
    {
        var info = _runtime.Inspect(reference);
        if (info.RestartPolicy is not null)
        {
            var gate = PolicyLock(info.Id);
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await _runtime.AmendAsync(info.Id, c => c with { ManuallyStopped = true }, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        }
    }
}
