namespace Netstack.Gossip.Tables;

/// <summary>What happened to an entry, from a subscriber's point of view.</summary>
public enum TableEventKind
{
    /// <summary>An entry appeared (new, or restored when its failed owner came back).</summary>
    Create,

    /// <summary>An existing entry got a new value.</summary>
    Update,

    /// <summary>An entry went away (deleted, its owner left the network or the cluster, or failed: then <see cref="TableEvent.Suspended"/>).</summary>
    Delete,
}

/// <summary>A change to a table entry delivered to subscribers.</summary>
/// <param name="Kind">Create, update or delete.</param>
/// <param name="Network">Network of the entry.</param>
/// <param name="Table">Table of the entry.</param>
/// <param name="Key">Key of the entry.</param>
/// <param name="Value">Value (for deletes: the last value, so subscribers know what to undo).</param>
/// <param name="Owner">Node that owns the entry.</param>
/// <param name="Suspended">For deletes: the owner failed (the entry is kept and may come back); for creates: the owner returned.</param>
public sealed record TableEvent(TableEventKind Kind, string Network, string Table, string Key, ReadOnlyMemory<byte> Value, string Owner, bool Suspended);
