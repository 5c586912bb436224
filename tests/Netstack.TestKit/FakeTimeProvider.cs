namespace Netstack.TestKit;

/// <summary>
/// A manual clock for deterministic tests and simulations. Time moves only when <see cref="Advance"/>
/// (or <see cref="AdvanceToNextTimer"/>) is called; due timers then fire on the caller's thread in
/// order of due time, ties broken by the order they were scheduled. Timers created or re-armed by a
/// callback fire in the same call when they fall due before its end, so a whole discrete-event
/// simulation can be driven by one clock.
/// </summary>
public sealed class FakeTimeProvider : TimeProvider
{
    private readonly object _gate = new();
    private readonly PriorityQueue<Scheduled, (long Due, long Order)> _queue = new();
    private readonly DateTimeOffset _start;
    private long _elapsedTicks;
    private long _order;

    /// <summary>Starts the clock at <paramref name="start"/> (default 2026-01-01T00:00Z).</summary>
    public FakeTimeProvider(DateTimeOffset? start = null)
    {
        _start = start ?? new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    }

    /// <summary>Time elapsed since the clock was created.</summary>
    public TimeSpan Elapsed
    {
        get { lock (_gate) { return new TimeSpan(_elapsedTicks); } }
    }

    /// <summary>Number of armed timers (including stale queue entries not yet skipped).</summary>
    public int PendingTimers
    {
        get { lock (_gate) { return _queue.Count; } }
    }

    /// <summary>
    /// Waits (in real time, up to 10 s) until code running on other threads has armed at least
    /// <paramref name="count"/> timers, so that a following <see cref="Advance"/> fires them. A
    /// readiness wait, not a measurement.
    /// </summary>
    public async Task WaitForTimersAsync(int count = 1)
    {
        for (var i = 0; i < 1000 && PendingTimers < count; i++)
        {
            await Task.Delay(10).ConfigureAwait(false);
        }
        Xunit.Assert.True(PendingTimers >= count, $"expected {count} pending timers, have {PendingTimers}");
    }

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    // Timestamps are TimeSpan ticks (100 ns) so GetElapsedTime maps back exactly.
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _start.AddTicks(_elapsedTicks);
        }
    }

    public override long GetTimestamp()
    {
        lock (_gate)
        {
            return _elapsedTicks;
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new FakeTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Moves time forward by <paramref name="delta"/>, firing every timer due on the way.</summary>
    public void Advance(TimeSpan delta)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delta, TimeSpan.Zero);
        long target;
        lock (_gate)
        {
            target = _elapsedTicks + delta.Ticks;
        }
        while (TryFireNext(target))
        {
        }
        lock (_gate)
        {
            if (_elapsedTicks < target)
            {
                _elapsedTicks = target;
            }
        }
    }

    /// <summary>
    /// Moves time to the next armed timer and fires it (and any others due at that instant).
    /// Returns false when no timer is armed. A simulation loop can call this instead of stepping.
    /// </summary>
    public bool AdvanceToNextTimer()
    {
        long due;
        lock (_gate)
        {
            if (!TryPeekLive(out due))
            {
                return false;
            }
        }
        Advance(new TimeSpan(Math.Max(0, due - GetTimestamp())));
        return true;
    }

    private bool TryFireNext(long target)
    {
        FakeTimer timer;
        lock (_gate)
        {
            if (!TryPeekLive(out var due) || due > target)
            {
                return false;
            }
            var entry = _queue.Dequeue();
            timer = entry.Timer;
            if (due > _elapsedTicks)
            {
                _elapsedTicks = due;
            }
            // Re-arm a periodic timer before its callback runs, so the callback may Change or
            // Dispose it and win.
            if (timer.PeriodTicks > 0)
            {
                ScheduleLocked(timer, due + timer.PeriodTicks);
            }
            else
            {
                timer.Version++;
            }
        }
        timer.Fire();
        return true;
    }

    // Skips entries made stale by Change/Dispose (lazy deletion keeps Change O(log n)).
    private bool TryPeekLive(out long due)
    {
        while (_queue.TryPeek(out var entry, out var key))
        {
            if (entry.Version == entry.Timer.Version && !entry.Timer.Disposed)
            {
                due = key.Due;
                return true;
            }
            _queue.Dequeue();
        }
        due = 0;
        return false;
    }

    private void ScheduleLocked(FakeTimer timer, long due)
    {
        timer.Version++;
        _queue.Enqueue(new Scheduled(timer, timer.Version), (due, _order++));
    }

    private void Change(FakeTimer timer, TimeSpan dueTime, TimeSpan period)
    {
        if (dueTime < TimeSpan.Zero && dueTime != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(dueTime), dueTime, "must be non-negative or Timeout.InfiniteTimeSpan");
        }
        if (period < TimeSpan.Zero && period != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(period), period, "must be non-negative or Timeout.InfiniteTimeSpan");
        }
        lock (_gate)
        {
            if (timer.Disposed)
            {
                return;
            }
            // A period of zero or infinite means "fire once", as System.Threading.Timer does.
            timer.PeriodTicks = period == Timeout.InfiniteTimeSpan ? 0 : period.Ticks;
            if (dueTime == Timeout.InfiniteTimeSpan)
            {
                timer.Version++;
                return;
            }
            ScheduleLocked(timer, _elapsedTicks + dueTime.Ticks);
        }
    }

    private void Dispose(FakeTimer timer)
    {
        lock (_gate)
        {
            timer.Disposed = true;
            timer.Version++;
        }
    }

    private readonly record struct Scheduled(FakeTimer Timer, long Version);

    private sealed class FakeTimer : ITimer
    {
        private readonly FakeTimeProvider _owner;
        private readonly TimerCallback _callback;
        private readonly object? _state;

        public FakeTimer(FakeTimeProvider owner, TimerCallback callback, object? state)
        {
            _owner = owner;
            _callback = callback;
            _state = state;
        }

        public long Version { get; set; }

        public long PeriodTicks { get; set; }

        public bool Disposed { get; set; }

        public void Fire() => _callback(_state);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            _owner.Change(this, dueTime, period);
            return !Disposed;
        }

        public void Dispose() => _owner.Dispose(this);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
