namespace Netstack.Upstream.Udp;

/// <summary>
/// Retransmissions of a UDP request: the first wait, doubled after every silent attempt, for a
/// bounded number of attempts. RFC 6886 starts at 250 ms and doubles up to nine times (about 64 s
/// in all); a gateway on the LAN answers in milliseconds, so netstack stops much earlier and reports
/// a time-out, keeping any one operation of a silent gateway to a few seconds.
/// </summary>
public sealed record RetryPolicy(TimeSpan InitialWait, int Attempts)
{
    /// <summary>250 ms, 500 ms, 1 s, 2 s: 3.75 s in all.</summary>
    public static RetryPolicy Default { get; } = new(TimeSpan.FromMilliseconds(250), 4);

    /// <summary>The longest an exchange can take.</summary>
    public TimeSpan Total
    {
        get
        {
            var total = TimeSpan.Zero;
            var wait = InitialWait;
            for (var i = 0; i < Attempts; i++)
            {
                total += wait;
                wait *= 2;
            }
            return total;
        }
    }
}
