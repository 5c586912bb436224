namespace Netstack.Gossip.Tables;

/// <summary>An entry as kept in memory, including tombstones (guarded by the node's lock).</summary>
internal sealed class StoredEntry
{
    public StoredEntry(string network, string table, string key, byte[] value, string owner, ulong lamport)
    {
        Network = network;
        Table = table;
        Key = key;
        Value = value;
        Owner = owner;
        Lamport = lamport;
    }

    public string Network { get; }

    public string Table { get; }

    public string Key { get; }

    public byte[] Value { get; set; }

    public string Owner { get; set; }

    public ulong Lamport { get; set; }

    /// <summary>A tombstone: kept until <see cref="ReapAt"/> so older copies cannot resurrect the entry.</summary>
    public bool Deleted { get; set; }

    public DateTimeOffset ReapAt { get; set; }

    public bool Suspended { get; set; }

    /// <summary>Visible to readers and subscribers.</summary>
    public bool Live => !Deleted && !Suspended;

    /// <summary>Last-writer-wins order: higher Lamport time, then owner name as a tie-break.</summary>
    public bool IsOlderThan(ulong lamport, string owner) =>
        lamport > Lamport || (lamport == Lamport && string.CompareOrdinal(owner, Owner) > 0);

    public TableEntry ToEntry() => new(Network, Table, Key, Value, Owner, Suspended);
}
