namespace Netstack.Upstream.Udp;

/// <summary>
/// Detects a router that lost its mappings from the "seconds since start of epoch" in each NAT-PMP
/// and PCP answer. Between two answers the router's clock must advance about as much as ours: if it
/// went back, or moved too little or too much (RFC 6887 section 8.5: more than 1/16 plus 2 s off,
/// the rule RFC 6886 section 3.6 states with 7/8), the router restarted and forgot everything.
/// </summary>
internal sealed class EpochTracker
{
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private uint? _serverSeconds;
    private long _clientTimestamp;

    public EpochTracker(TimeProvider time) => _time = time;

    /// <summary>Records an answer's epoch; true when it shows the router lost state since the last one.</summary>
    public bool Observe(uint serverSeconds)
    {
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            var lost = false;
            if (_serverSeconds is { } previous)
            {
                var clientDelta = (long)_time.GetElapsedTime(_clientTimestamp, now).TotalSeconds;
                var serverDelta = (long)serverSeconds - previous;
                lost = serverSeconds + 1L < previous
                    || clientDelta + 2 < serverDelta - (serverDelta / 16)
                    || serverDelta + 2 < clientDelta - (clientDelta / 16);
            }
            _serverSeconds = serverSeconds;
            _clientTimestamp = now;
            return lost;
        }
    }
}
