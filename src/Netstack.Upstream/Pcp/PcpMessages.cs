using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Netstack.Upstream.Pcp;

/// <summary>A PCP MAP answer (RFC 6887 sections 7.2 and 11.1).</summary>
internal sealed record PcpMapResponse(byte Result, uint Lifetime, uint Epoch)
{
    public ReadOnlyMemory<byte> Nonce { get; init; }

    public byte Protocol { get; init; }

    public ushort InternalPort { get; init; }

    public ushort ExternalPort { get; init; }

    public IPAddress? ExternalAddress { get; init; }
}

/// <summary>
/// PCP's MAP messages (RFC 6887), big-endian. A request is the 24-byte common header (version 2,
/// R bit 0 and the opcode, 2 reserved bytes, the requested lifetime, the client's address as 16
/// bytes, IPv4 mapped into IPv6) and the 36-byte MAP data (12-byte nonce, protocol, 3 reserved
/// bytes, internal port, suggested external port, suggested external address). An answer's header
/// has the R bit set, a result code in byte 3, the lifetime, the epoch time and 12 reserved bytes,
/// followed by the MAP data as assigned.
/// </summary>
internal static class PcpMessages
{
    public const int Port = 5351;
    public const byte Version = 2;
    public const byte OpMap = 1;
    public const byte ResponseBit = 0x80;
    public const int HeaderLength = 24;
    public const int MapDataLength = 36;
    public const int MapLength = HeaderLength + MapDataLength;
    public const int NonceLength = 12;

    /// <summary>IANA protocol numbers, as PCP carries them.</summary>
    public static byte ProtocolOf(MappingTransport transport) => transport == MappingTransport.Udp ? (byte)17 : (byte)6;

    public const byte OpAnnounce = 0;

    /// <summary>ANNOUNCE (section 14.1): the header alone with lifetime 0; a PCP server answers it with its epoch.</summary>
    public static byte[] AnnounceRequest(IPAddress client)
    {
        var message = new byte[HeaderLength];
        message[0] = Version;
        message[1] = OpAnnounce;
        WriteAddress(message.AsSpan(8, 16), client);
        return message;
    }

    /// <summary>Parses an ANNOUNCE answer: the header with the R bit and opcode 0; null when it is not one.</summary>
    public static PcpMapResponse? ParseAnnounceResponse(ReadOnlySpan<byte> data)
    {
        if (data.Length >= 4 && data[0] == 0 && data[1] == (OpAnnounce | ResponseBit))
        {
            return BinaryPrimitives.ReadUInt16BigEndian(data[2..]) == 1 ? new PcpMapResponse(1, 0, 0) : null;
        }
        if (data.Length < HeaderLength || data.Length > UdpMax || data.Length % 4 != 0 || data[1] != (OpAnnounce | ResponseBit))
        {
            return null;
        }
        var result = data[3];
        if (data[0] != Version && result != 1)
        {
            // Another version is only believable as UNSUPP_VERSION (section 9); "success" in it is nonsense.
            return null;
        }
        return new PcpMapResponse(result, BinaryPrimitives.ReadUInt32BigEndian(data[4..]), BinaryPrimitives.ReadUInt32BigEndian(data[8..]));
    }

    public static byte[] MapRequest(IPAddress client, ReadOnlySpan<byte> nonce, MappingTransport transport, ushort internalPort, ushort suggestedExternalPort, uint lifetimeSeconds, IPAddress? suggestedExternal = null)
    {
        if (nonce.Length != NonceLength)
        {
            throw new ArgumentException($"a PCP nonce is {NonceLength} bytes, not {nonce.Length}", nameof(nonce));
        }
        var message = new byte[MapLength];
        message[0] = Version;
        message[1] = OpMap;
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(4), lifetimeSeconds);
        WriteAddress(message.AsSpan(8, 16), client);
        var data = message.AsSpan(HeaderLength);
        nonce.CopyTo(data);
        data[12] = ProtocolOf(transport);
        BinaryPrimitives.WriteUInt16BigEndian(data[16..], internalPort);
        BinaryPrimitives.WriteUInt16BigEndian(data[18..], suggestedExternalPort);
        // No preference: the all-zeros address of the client's family (section 11.1), ::ffff:0.0.0.0 for IPv4.
        WriteAddress(data.Slice(20, 16), suggestedExternal ?? (client.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any));
        return message;
    }

    /// <summary>
    /// Parses a MAP answer; null when it is not one (too short or long, not a multiple of 4, wrong
    /// version, R bit or opcode). A version-0 answer is NAT-PMP's "unsupported version" from a router
    /// that speaks only NAT-PMP (RFC 6887 section 9): returned as result 1 so the caller can say so.
    /// </summary>
    public static PcpMapResponse? ParseMapResponse(ReadOnlySpan<byte> data)
    {
        if (data.Length >= 4 && data[0] == 0 && data[1] == (OpMap | ResponseBit))
        {
            // NAT-PMP server's answer to an unknown version: 2-byte result code 1 after version and opcode.
            return BinaryPrimitives.ReadUInt16BigEndian(data[2..]) == 1 ? new PcpMapResponse(1, 0, 0) { Protocol = 0 } : null;
        }
        if (data.Length < HeaderLength || data.Length > UdpMax || data.Length % 4 != 0 || data[1] != (OpMap | ResponseBit))
        {
            return null;
        }
        var result = data[3];
        var lifetime = BinaryPrimitives.ReadUInt32BigEndian(data[4..]);
        var epoch = BinaryPrimitives.ReadUInt32BigEndian(data[8..]);
        if (data[0] != Version)
        {
            // A PCP server of another version answers UNSUPP_VERSION with its own version number.
            return result == 1 ? new PcpMapResponse(1, lifetime, epoch) : null;
        }
        if (data.Length < MapLength)
        {
            // Errors about the request as a whole may come without the opcode's data.
            return result != 0 ? new PcpMapResponse(result, lifetime, epoch) : null;
        }
        var map = data.Slice(HeaderLength, MapDataLength);
        return new PcpMapResponse(result, lifetime, epoch)
        {
            Nonce = map[..NonceLength].ToArray(),
            Protocol = map[12],
            InternalPort = BinaryPrimitives.ReadUInt16BigEndian(map[16..]),
            ExternalPort = BinaryPrimitives.ReadUInt16BigEndian(map[18..]),
            ExternalAddress = ReadAddress(map.Slice(20, 16)),
        };
    }

    private const int UdpMax = 1100;

    public static void WriteAddress(Span<byte> destination, IPAddress address)
    {
        var v6 = address.AddressFamily == AddressFamily.InterNetwork ? address.MapToIPv6() : address;
        if (!v6.TryWriteBytes(destination, out var written) || written != 16)
        {
            throw new ArgumentException($"address {address} does not fit 16 bytes", nameof(address));
        }
    }

    public static IPAddress ReadAddress(ReadOnlySpan<byte> source)
    {
        var address = new IPAddress(source);
        return address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
    }

    /// <summary>RFC 6887 section 7.4's result codes, in words.</summary>
    public static string Describe(byte result) => result switch
    {
        0 => "SUCCESS",
        1 => "UNSUPP_VERSION (1): the router does not speak PCP version 2",
        2 => "NOT_AUTHORIZED (2): the router's policy forbids this mapping",
        3 => "MALFORMED_REQUEST (3)",
        4 => "UNSUPP_OPCODE (4)",
        5 => "UNSUPP_OPTION (5)",
        6 => "MALFORMED_OPTION (6)",
        7 => "NETWORK_FAILURE (7): the router has no external address yet",
        8 => "NO_RESOURCES (8): the router has no room for more mappings",
        9 => "UNSUPP_PROTOCOL (9)",
        10 => "USER_EX_QUOTA (10): this host has all the mappings the router allows it",
        11 => "CANNOT_PROVIDE_EXTERNAL (11): the suggested external port or address is not available",
        12 => "ADDRESS_MISMATCH (12): the router sees this host at another address (a NAT between them)",
        13 => "EXCESSIVE_REMOTE_PEERS (13)",
        _ => $"unknown result code {result}",
    };
}
