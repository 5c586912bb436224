using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Netstack.Core;

namespace Netstack.Controller;

/// <summary>Endpoint MAC addresses.</summary>
internal static class MacAddresses
{
    /// <summary>
    /// Docker's scheme: <c>02:42</c> then the four IPv4 bytes. 0x02 sets the locally-administered bit
    /// (IEEE 802, bit 1 of the first octet) and keeps the unicast bit clear, so it never clashes with
    /// a vendor MAC; deriving it from the unique IPv4 address keeps it unique on the network and
    /// stable across a re-join. Without IPv4, random bytes after 02:42.
    /// </summary>
    public static string ForEndpoint(IPAddress? ipv4)
    {
        Span<byte> mac = stackalloc byte[6];
        mac[0] = 0x02;
        mac[1] = 0x42;
        if (ipv4 is { AddressFamily: AddressFamily.InterNetwork })
        {
            ipv4.TryWriteBytes(mac[2..], out _);
        }
        else
        {
            RandomNumberGenerator.Fill(mac[2..]);
        }
        return Format(mac);
    }

    /// <summary>Parses <c>aa:bb:cc:dd:ee:ff</c>; rejects multicast MACs (bit 0 of the first octet), which no interface may have.</summary>
    public static string Normalize(string field, string text)
    {
        var parts = text.Split(':', '-');
        Span<byte> mac = stackalloc byte[6];
        if (parts.Length != 6)
        {
            throw new InvalidParameterException(field, text, "expected six hex octets like 02:42:ac:11:00:02");
        }
        for (var i = 0; i < 6; i++)
        {
            if (parts[i].Length != 2 || !byte.TryParse(parts[i], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out mac[i]))
            {
                throw new InvalidParameterException(field, text, "expected six hex octets like 02:42:ac:11:00:02");
            }
        }
        if ((mac[0] & 0x01) != 0)
        {
            throw new InvalidParameterException(field, text, "a multicast MAC cannot be an interface address");
        }
        return Format(mac);
    }

    private static string Format(ReadOnlySpan<byte> mac) =>
        string.Join(':', mac.ToArray().Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
}
