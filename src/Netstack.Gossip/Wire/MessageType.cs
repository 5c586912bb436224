namespace Netstack.Gossip.Wire;

/// <summary>Message types inside a packet body (see <see cref="WireFormat"/>).</summary>
internal enum MessageType : byte
{
    /// <summary>seq u32 | target name | source name | source endpoint (where the ack goes).</summary>
    Ping = 1,

    /// <summary>seq u32 | target name | target endpoint | want-nack u8 | source endpoint.</summary>
    IndirectPing = 2,

    /// <summary>seq u32.</summary>
    Ack = 3,

    /// <summary>seq u32: the helper of an indirect probe heard nothing from the target.</summary>
    Nack = 4,

    /// <summary>incarnation u32 | name | endpoint.</summary>
    Alive = 5,

    /// <summary>incarnation u32 | name | from name.</summary>
    Suspect = 6,

    /// <summary>incarnation u32 | name | from name (from == name means a graceful leave).</summary>
    Dead = 7,

    /// <summary>
    /// flags u8 (1 join, 2 reply, 4 tables only) | from name | from endpoint |
    /// [network, only with "tables only"] | member count u32 | members (name, endpoint, incarnation u32, state u8) | table state
    /// (see NetworkDb state encoding). Sent over TCP only.
    /// </summary>
    PushPull = 8,

    /// <summary>kind u8 (1 join, 2 leave) | lamport u64 | node name | network.</summary>
    NetworkEvent = 9,

    /// <summary>kind u8 (1 create, 2 update, 3 delete) | lamport u64 | owner | network | table | key | value blob.</summary>
    TableEvent = 10,

    /// <summary>
    /// from name | payload blob: a message of the application, to one member (memberlist's user
    /// message sent reliably). Sent over TCP only, sealed with the key ring like everything else;
    /// taken only from a live member.
    /// </summary>
    User = 11,
}
