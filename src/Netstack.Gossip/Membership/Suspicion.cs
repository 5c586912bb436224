namespace Netstack.Gossip.Membership;

/// <summary>
/// Lifeguard's suspicion timer: it starts at the maximum timeout and shrinks towards the minimum
/// as independent members confirm the suspicion, following
///   timeout(c) = max - (max - min) * log(c + 1) / log(k + 1)
/// for c confirmations out of k expected, never below min. With k = 0 (too few members to expect
/// confirmations) the timer simply runs for min.
/// </summary>
internal sealed class Suspicion : IDisposable
{
    private readonly HashSet<string> _confirmers = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly long _started;
    private readonly int _expected;
    private readonly TimeSpan _min;
    private readonly TimeSpan _max;
    private readonly ITimer _timer;
    private int _confirmations;

    public Suspicion(TimeProvider time, string from, int expected, TimeSpan min, TimeSpan max, Action onTimeout)
    {
        _time = time;
        _started = time.GetTimestamp();
        _expected = expected;
        _min = min;
        _max = max;
        // The member that raised the suspicion is not an independent confirmation.
        _confirmers.Add(from);
        var first = expected < 1 ? min : max;
        _timer = time.CreateTimer(static s => ((Action)s!)(), onTimeout, first, Timeout.InfiniteTimeSpan);
    }

    public int Confirmations => _confirmations;

    /// <summary>Records a confirmation from <paramref name="from"/>; true when it was new and shortened the timer.</summary>
    public bool Confirm(string from)
    {
        if (_confirmations >= _expected || !_confirmers.Add(from))
        {
            return false;
        }
        _confirmations++;
        var remaining = Remaining(_confirmations, _expected, _time.GetElapsedTime(_started), _min, _max);
        _timer.Change(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        return true;
    }

    /// <summary>Time left after <paramref name="elapsed"/> with <paramref name="confirmations"/> of <paramref name="expected"/>.</summary>
    public static TimeSpan Remaining(int confirmations, int expected, TimeSpan elapsed, TimeSpan min, TimeSpan max)
    {
        var fraction = Math.Log(confirmations + 1.0) / Math.Log(expected + 1.0);
        var raw = max.TotalMilliseconds - (fraction * (max.TotalMilliseconds - min.TotalMilliseconds));
        var timeout = TimeSpan.FromMilliseconds(Math.Floor(raw));
        if (timeout < min)
        {
            timeout = min;
        }
        return timeout - elapsed;
    }

    /// <summary>Lower bound: multiplier * log10(max(1, n)) * interval, with the log floored at 1.</summary>
    public static TimeSpan MinTimeout(int multiplier, int members, TimeSpan probeInterval)
    {
        var scale = Math.Max(1.0, Math.Log10(Math.Max(1.0, members)));
        return TimeSpan.FromMilliseconds(Math.Floor(multiplier * scale * probeInterval.TotalMilliseconds));
    }

    public void Dispose() => _timer.Dispose();
}
