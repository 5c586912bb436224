using System.Globalization;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Netstack.Core;

/// <summary>Endpoint MAC addresses for the drivers: parsing, formatting, and Docker's derivation from the IPv4 address.</summary>
public static class MacAddresses
{
    /// <summary>
    /// Docker's scheme: 02:42 then the four bytes of the IPv4 address. 0x02 in the first byte marks a
    /// locally administered unicast address (IEEE 802), so it never clashes with a vendor's.
    /// Without an IPv4 address: 02:42 and four random bytes.
    /// </summary>
    public static string ForEndpoint(CidrAddress? ipv4)
    {
        Span<byte> bytes = stackalloc byte[6];
        bytes[0] = 0x02;
        bytes[1] = 0x42;
        if (ipv4 is { } a && a.Address.AddressFamily == AddressFamily.InterNetwork)
        {
            a.Address.TryWriteBytes(bytes[2..], out _);
        }
        else
        {
            RandomNumberGenerator.Fill(bytes[2..]);
        }
        return Format(bytes);
    }

    /// <summary>Parses <c>aa:bb:cc:dd:ee:ff</c> (or with '-'); a bad value names the field.</summary>
    public static PhysicalAddress Parse(string text, string field)
    {
        var parts = text.Split(':', '-');
        var bytes = new byte[6];
        if (parts.Length != 6)
        {
            throw new InvalidParameterException(field, text, "must be six hex bytes such as 02:42:ac:11:00:02");
        }
        for (var i = 0; i < 6; i++)
        {
            if (parts[i].Length is < 1 or > 2 || !byte.TryParse(parts[i], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out bytes[i]))
            {
                throw new InvalidParameterException(field, text, "must be six hex bytes such as 02:42:ac:11:00:02");
            }
        }
        if ((bytes[0] & 0x01) != 0)
        {
            throw new InvalidParameterException(field, text, "is a multicast address (lowest bit of the first byte set)");
        }
        return new PhysicalAddress(bytes);
    }

    public static string Format(ReadOnlySpan<byte> bytes) =>
        string.Join(':', bytes.ToArray().Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
}
