namespace Netstack.Gossip.Tables;

/// <summary>A Lamport clock: local events increment it, observed times push it past them.</summary>
internal sealed class LamportClock
{
    public ulong Time { get; private set; }

    public ulong Increment() => ++Time;

    public void Witness(ulong observed)
    {
        if (observed >= Time)
        {
            Time = observed + 1;
        }
    }
}
