using System.Buffers.Binary;
using System.Net;
using System.Net.NetworkInformation;
using System.Text;

namespace Netstack.Linux.Netlink.Wire;

/// <summary>Decoders for attribute payloads.</summary>
internal static class AttributeValue
{
    public static byte U8(ReadOnlySpan<byte> value) => value.Length >= 1 ? value[0] : (byte)0;

    public static ushort U16(ReadOnlySpan<byte> value) => value.Length >= 2 ? BinaryPrimitives.ReadUInt16LittleEndian(value) : (ushort)0;

    public static ushort Be16(ReadOnlySpan<byte> value) => value.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(value) : (ushort)0;

    public static uint U32(ReadOnlySpan<byte> value) => value.Length >= 4 ? BinaryPrimitives.ReadUInt32LittleEndian(value) : 0;

    public static int S32(ReadOnlySpan<byte> value) => value.Length >= 4 ? BinaryPrimitives.ReadInt32LittleEndian(value) : 0;

    public static string String(ReadOnlySpan<byte> value)
    {
        var end = value.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end >= 0 ? value[..end] : value);
    }

    public static IPAddress? Address(ReadOnlySpan<byte> value) =>
        value.Length is 4 or 16 ? new IPAddress(value) : null;

    public static PhysicalAddress Mac(ReadOnlySpan<byte> value) => new(value.ToArray());
}
