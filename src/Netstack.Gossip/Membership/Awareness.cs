namespace Netstack.Gossip.Membership;

/// <summary>
/// Lifeguard's local health: a score from 0 (healthy) to max - 1. Missed acks and nacks, and
/// having to refute suspicion of ourselves, raise it; successful probes lower it. Probe intervals
/// and timeouts are multiplied by score + 1, so a node that is itself slow probes less and
/// suspects others less readily.
/// </summary>
internal sealed class Awareness
{
    private readonly int _max;

    public Awareness(int max)
    {
        _max = max;
    }

    public int Score { get; private set; }

    public void Apply(int delta) => Score = Math.Clamp(Score + delta, 0, _max - 1);

    public TimeSpan Scale(TimeSpan timeout) => timeout * (Score + 1);
}
