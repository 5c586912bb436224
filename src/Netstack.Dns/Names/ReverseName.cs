using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Netstack.Dns.Names;

/// <summary>Reverse-lookup names: in-addr.arpa (RFC 1035 3.5) and ip6.arpa nibbles (RFC 3596 2.5).</summary>
public static class ReverseName
{
    private const string V4Suffix = ".in-addr.arpa";
    private const string V6Suffix = ".ip6.arpa";

    /// <summary>Turns a full reverse name (lower-case, no trailing dot) into its address; false for partial or other names.</summary>
    public static bool TryParse(string name, out IPAddress? address)
    {
        ArgumentNullException.ThrowIfNull(name);
        address = null;
        if (name.EndsWith(V4Suffix, StringComparison.Ordinal))
        {
            var parts = name[..^V4Suffix.Length].Split('.');
            if (parts.Length != 4)
            {
                return false;
            }

            Span<byte> bytes = stackalloc byte[4];
            for (var i = 0; i < 4; i++)
            {
                var part = parts[3 - i];
                if (part.Length is 0 or > 3 || (part.Length > 1 && part[0] == '0') ||
                    !byte.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out bytes[i]))
                {
                    return false;
                }
            }

            address = new IPAddress(bytes);
            return true;
        }

        if (name.EndsWith(V6Suffix, StringComparison.Ordinal))
        {
            var nibbles = name[..^V6Suffix.Length];
            // 32 nibbles, each one hex digit followed by a dot (the last one without).
            if (nibbles.Length != 63)
            {
                return false;
            }

            Span<byte> bytes = stackalloc byte[16];
            for (var i = 0; i < 32; i++)
            {
                var c = nibbles[i * 2];
                if ((i < 31 && nibbles[(i * 2) + 1] != '.') || !char.IsAsciiHexDigit(c))
                {
                    return false;
                }

                var value = (byte)Convert.ToInt32(c.ToString(), 16);
                var index = 15 - (i / 2);
                bytes[index] |= (byte)(i % 2 == 0 ? value : value << 4);
            }

            address = new IPAddress(bytes);
            return true;
        }

        return false;
    }

    /// <summary>The reverse name of an address, e.g. <c>2.0.20.10.in-addr.arpa</c>.</summary>
    public static string For(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var bytes = address.GetAddressBytes();
        var builder = new StringBuilder();
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            for (var i = 3; i >= 0; i--)
            {
                builder.Append(bytes[i].ToString(CultureInfo.InvariantCulture)).Append('.');
            }

            return builder.Append("in-addr.arpa").ToString();
        }

        for (var i = 15; i >= 0; i--)
        {
            builder.Append(HexDigit(bytes[i] & 0xF)).Append('.').Append(HexDigit(bytes[i] >> 4)).Append('.');
        }

        return builder.Append("ip6.arpa").ToString();
    }

    private static char HexDigit(int value) => (char)(value < 10 ? '0' + value : 'a' + value - 10);
}
