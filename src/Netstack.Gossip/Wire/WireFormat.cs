namespace Netstack.Gossip.Wire;

/// <summary>
/// The gossip wire format (ours, not memberlist's msgpack). All integers are big-endian.
///
/// Envelope (every UDP packet and every TCP frame payload):
///   byte 0   version, currently 1
///   byte 1   sealing: 0 = plain, 1 = AES-GCM
///   plain:   the body follows
///   AES-GCM: nonce (12 random bytes) | ciphertext | tag (16); the two header bytes are the
///            associated data, so a flipped version or sealing byte fails authentication
/// A node with a key ring accepts only sealed packets; a node without one only plain packets.
///
/// Body: one or more messages, each  type (u8) | length (u16) | payload (length bytes).
/// A UDP packet carries as many messages as fit in <see cref="MaxUdpPacket"/> bytes (a compound
/// packet). A TCP frame is  length (u32) | envelope, and its body is a single message written as
/// type (u8) | payload, without the u16 length (a push/pull of a large cluster exceeds 64 KiB).
///
/// Field encodings: string = u8 length + UTF-8 (names, networks, tables, keys: 1..255 bytes);
/// blob = u16 length + bytes; endpoint = u8 family (4 or 6) + address (4 or 16) + port (u16).
/// Payloads per type are documented on <see cref="MessageType"/>.
/// </summary>
internal static class WireFormat
{
    public const byte Version = 1;
    public const byte SealPlain = 0;
    public const byte SealAesGcm = 1;
    public const int HeaderSize = 2;
    public const int NonceSize = 12;
    public const int TagSize = 16;
    public const int SealOverhead = HeaderSize + NonceSize + TagSize;

    /// <summary>Ethernet MTU 1500 minus IPv4 20, UDP 8 and headroom for tunnels: memberlist's 1,400.</summary>
    public const int MaxUdpPacket = 1400;

    /// <summary>type (1) + length (2) in front of every message.</summary>
    public const int MessageHeaderSize = 3;

    /// <summary>A push/pull of 10,000 members with their networks stays far below this.</summary>
    public const int MaxStreamFrame = 16 * 1024 * 1024;
}
