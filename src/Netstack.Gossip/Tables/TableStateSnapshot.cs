namespace Netstack.Gossip.Tables;

/// <summary>The parsed table part of a push/pull, applied only after the whole frame parsed.</summary>
internal sealed class TableStateSnapshot
{
    public List<(string Node, string Network, ulong Lamport, bool Leaving)> Memberships { get; } = [];

    public List<(string Network, string Table, string Key, string Owner, ulong Lamport, bool Deleted, uint ReapSeconds, byte[] Value)> Entries { get; } = [];
}
