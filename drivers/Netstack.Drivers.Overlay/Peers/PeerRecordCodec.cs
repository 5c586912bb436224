using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Netstack.Drivers.Overlay;

/// <summary>
/// The peer table's value encoding, a fixed binary layout:
/// <c>version(1)=1 | addrLen(1) | addr(4|16) | prefixLen(1) | mac(6) | vtepLen(1) | vtep(4|16)</c>.
/// Bytes after the VTEP are ignored, so a later version-1 writer may append optional fields; a
/// change old readers cannot skip takes a new version byte. Entries come from other nodes, so
/// decoding checks every length and value and reports what is wrong instead of throwing.
/// </summary>
internal static class PeerRecordCodec
{
    public const byte Version = 1;

    private const int MacLength = 6;

    public static byte[] Encode(PeerRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var address = record.Address.GetAddressBytes();
        var vtep = record.Vtep.GetAddressBytes();
        var mac = record.MacAddress.GetAddressBytes();
        if (mac.Length != MacLength)
        {
            throw new ArgumentException($"invalid MAC address \"{record.MacAddress}\": must be 6 bytes", nameof(record));
        }
        var buffer = new byte[1 + 1 + address.Length + 1 + MacLength + 1 + vtep.Length];
        var span = buffer.AsSpan();
        span[0] = Version;
        span[1] = (byte)address.Length;
        address.CopyTo(span[2..]);
        var at = 2 + address.Length;
        span[at++] = (byte)record.PrefixLength;
        mac.CopyTo(span[at..]);
        at += MacLength;
        span[at++] = (byte)vtep.Length;
        vtep.CopyTo(span[at..]);
        return buffer;
    }

    /// <summary>Decodes <paramref name="value"/>; on failure <paramref name="error"/> says what is wrong with it.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> value, [NotNullWhen(true)] out PeerRecord? record, [NotNullWhen(false)] out string? error)
    {
        record = null;
        if (value.IsEmpty)
        {
            error = "empty value";
            return false;
        }
        if (value[0] != Version)
        {
            error = $"unknown version {value[0]} (this node reads version {Version})";
            return false;
        }
        var at = 1;
        if (!TryReadAddress(value, ref at, "endpoint address", out var address, out error))
        {
            return false;
        }
        if (at >= value.Length)
        {
            error = "truncated before the prefix length";
            return false;
        }
        int prefix = value[at++];
        var maxPrefix = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        if (prefix > maxPrefix)
        {
            error = $"prefix length {prefix} is more than {maxPrefix}";
            return false;
        }
        if (value.Length - at < MacLength)
        {
            error = "truncated inside the MAC address";
            return false;
        }
        var mac = value.Slice(at, MacLength).ToArray();
        at += MacLength;
        if ((mac[0] & 0x01) != 0 || mac.All(b => b == 0))
        {
            error = $"MAC address {Convert.ToHexString(mac)} is not a unicast address";
            return false;
        }
        if (!TryReadAddress(value, ref at, "VTEP address", out var vtep, out error))
        {
            return false;
        }
        if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || vtep.Equals(IPAddress.Any) || vtep.Equals(IPAddress.IPv6Any))
        {
            error = "unspecified address";
            return false;
        }
        record = new PeerRecord(address, prefix, new PhysicalAddress(mac), vtep);
        error = null;
        return true;
    }

    private static bool TryReadAddress(ReadOnlySpan<byte> value, ref int at, string what, [NotNullWhen(true)] out IPAddress? address, [NotNullWhen(false)] out string? error)
    {
        address = null;
        if (at >= value.Length)
        {
            error = $"truncated before the {what}";
            return false;
        }
        int length = value[at++];
        if (length is not (4 or 16))
        {
            error = $"{what} length {length} is neither 4 (IPv4) nor 16 (IPv6)";
            return false;
        }
        if (value.Length - at < length)
        {
            error = $"truncated inside the {what}";
            return false;
        }
        address = new IPAddress(value.Slice(at, length));
        at += length;
        error = null;
        return true;
    }
}
