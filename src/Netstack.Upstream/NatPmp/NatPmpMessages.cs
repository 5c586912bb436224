using System.Buffers.Binary;
using System.Net;

namespace Netstack.Upstream.NatPmp;

/// <summary>NAT-PMP's answer to a request (RFC 6886 section 3).</summary>
internal sealed record NatPmpResponse(byte Opcode, ushort Result, uint Epoch)
{
    /// <summary>The external address (opcode 0 answers).</summary>
    public IPAddress? ExternalAddress { get; init; }

    public ushort InternalPort { get; init; }

    public ushort ExternalPort { get; init; }

    public uint Lifetime { get; init; }
}

/// <summary>
/// NAT-PMP's messages (RFC 6886), all big-endian. Requests: version 0, an opcode (0 external
/// address, 1 map UDP, 2 map TCP); a map request adds 2 reserved bytes, the internal port, the
/// suggested external port and the lifetime in seconds (12 bytes). Answers carry opcode + 128, a
/// 16-bit result code and the seconds since the router's epoch began.
/// </summary>
internal static class NatPmpMessages
{
    public const int Port = 5351;
    public const byte Version = 0;
    public const byte OpExternalAddress = 0;
    public const byte OpMapUdp = 1;
    public const byte OpMapTcp = 2;
    public const byte ResponseBit = 128;

    /// <summary>Answer sizes: 12 bytes for the external address, 16 for a mapping.</summary>
    public const int ExternalAddressResponseLength = 12;
    public const int MapResponseLength = 16;

    public static byte[] ExternalAddressRequest() => [Version, OpExternalAddress];

    public static byte OpcodeOf(MappingTransport transport) => transport == MappingTransport.Udp ? OpMapUdp : OpMapTcp;

    /// <summary>A map request; lifetime 0 with suggested port 0 deletes the mapping of <paramref name="internalPort"/>.</summary>
    public static byte[] MapRequest(MappingTransport transport, ushort internalPort, ushort suggestedExternalPort, uint lifetimeSeconds)
    {
        var message = new byte[12];
        message[0] = Version;
        message[1] = OpcodeOf(transport);
        // bytes 2-3 reserved, zero
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(4), internalPort);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(6), suggestedExternalPort);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(8), lifetimeSeconds);
        return message;
    }

    /// <summary>
    /// Parses an answer to a request of <paramref name="requestOpcode"/>; null when it is not one (wrong
    /// version, opcode or size). An error answer may be shorter than a success one: only the 8-byte
    /// header is required then, as routers answer unsupported versions with just that.
    /// </summary>
    public static NatPmpResponse? ParseResponse(ReadOnlySpan<byte> data, byte requestOpcode)
    {
        if (data.Length < 8 || data[0] != Version || data[1] != (byte)(requestOpcode | ResponseBit))
        {
            return null;
        }
        var result = BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
        var epoch = BinaryPrimitives.ReadUInt32BigEndian(data[4..]);
        if (result != 0)
        {
            return new NatPmpResponse(requestOpcode, result, epoch);
        }
        if (requestOpcode == OpExternalAddress)
        {
            return data.Length == ExternalAddressResponseLength
                ? new NatPmpResponse(requestOpcode, result, epoch) { ExternalAddress = new IPAddress(data.Slice(8, 4)) }
                : null;
        }
        return data.Length == MapResponseLength
            ? new NatPmpResponse(requestOpcode, result, epoch)
            {
                InternalPort = BinaryPrimitives.ReadUInt16BigEndian(data[8..]),
                ExternalPort = BinaryPrimitives.ReadUInt16BigEndian(data[10..]),
                Lifetime = BinaryPrimitives.ReadUInt32BigEndian(data[12..]),
            }
            : null;
    }

    /// <summary>RFC 6886 section 3.5's result codes, in words.</summary>
    public static string Describe(ushort result) => result switch
    {
        0 => "success",
        1 => "unsupported version (1)",
        2 => "not authorized or refused (2): the router's NAT-PMP is switched off or forbids this host",
        3 => "network failure (3): the router has no external address yet",
        4 => "out of resources (4): the router has no ports left",
        5 => "unsupported opcode (5)",
        _ => $"unknown result code {result}",
    };
}
