namespace Netstack.Gossip.Tables;

/// <summary>A table entry as read through <see cref="NetworkDb.Get"/> and <see cref="NetworkDb.Walk"/>.</summary>
/// <param name="Network">Network the entry belongs to.</param>
/// <param name="Table">Table name (for example "overlay_peer_table").</param>
/// <param name="Key">Key, unique within the table.</param>
/// <param name="Value">Opaque value bytes.</param>
/// <param name="Owner">Node that wrote the entry; only it updates or deletes it.</param>
/// <param name="Suspended">The owner is currently failed; the entry comes back if it returns.</param>
public sealed record TableEntry(string Network, string Table, string Key, ReadOnlyMemory<byte> Value, string Owner, bool Suspended);
