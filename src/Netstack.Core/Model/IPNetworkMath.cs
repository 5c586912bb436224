using System.Net;
using System.Net.Sockets;

namespace Netstack.Core;

/// <summary>Address arithmetic shared by IPAM, the controller and drivers: addresses as 128-bit numbers.</summary>
public static class IPNetworkMath
{
    /// <summary>Bits in an address of the family: 32 for IPv4, 128 for IPv6.</summary>
    public static int Bits(AddressFamily family) => family == AddressFamily.InterNetworkV6 ? 128 : 32;

    /// <summary>The address as an unsigned number (IPv4 in the low 32 bits).</summary>
    public static UInt128 ToNumber(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        Span<byte> bytes = stackalloc byte[16];
        if (!address.TryWriteBytes(bytes, out var written))
        {
            throw new ArgumentException($"cannot read address {address}", nameof(address));
        }
        UInt128 value = 0;
        for (var i = 0; i < written; i++)
        {
            value = (value << 8) | bytes[i];
        }
        return value;
    }

    /// <summary>The address of the family for a number.</summary>
    public static IPAddress FromNumber(UInt128 value, AddressFamily family)
    {
        var length = family == AddressFamily.InterNetworkV6 ? 16 : 4;
        Span<byte> bytes = stackalloc byte[length];
        for (var i = length - 1; i >= 0; i--)
        {
            bytes[i] = (byte)(value & 0xff);
            value >>= 8;
        }
        return new IPAddress(bytes);
    }

    /// <summary>The address with host bits cleared.</summary>
    public static IPAddress Mask(IPAddress address, int prefixLength)
    {
        ArgumentNullException.ThrowIfNull(address);
        var bits = Bits(address.AddressFamily);
        var n = ToNumber(address);
        var hostBits = bits - prefixLength;
        var mask = hostBits >= 128 ? UInt128.Zero : ~((UInt128.One << hostBits) - 1);
        return FromNumber(n & mask, address.AddressFamily);
    }

    /// <summary>First and last address of a subnet, as numbers.</summary>
    public static (UInt128 First, UInt128 Last) Range(IPNetwork network)
    {
        var first = ToNumber(network.BaseAddress);
        var hostBits = Bits(network.BaseAddress.AddressFamily) - network.PrefixLength;
        var size = hostBits >= 128 ? UInt128.MaxValue : (UInt128.One << hostBits) - 1;
        return (first, first + size);
    }

    /// <summary>True when the two subnets share any address.</summary>
    public static bool Overlaps(IPNetwork a, IPNetwork b)
    {
        if (a.BaseAddress.AddressFamily != b.BaseAddress.AddressFamily)
        {
            return false;
        }
        return a.Contains(b.BaseAddress) || b.Contains(a.BaseAddress);
    }

    /// <summary>True when <paramref name="inner"/> lies completely inside <paramref name="outer"/>.</summary>
    public static bool ContainsNetwork(IPNetwork outer, IPNetwork inner) =>
        outer.BaseAddress.AddressFamily == inner.BaseAddress.AddressFamily
        && inner.PrefixLength >= outer.PrefixLength
        && outer.Contains(inner.BaseAddress);

    /// <summary>Number of addresses in the subnet, saturating at <see cref="UInt128.MaxValue"/>.</summary>
    public static UInt128 Size(IPNetwork network)
    {
        var hostBits = Bits(network.BaseAddress.AddressFamily) - network.PrefixLength;
        return hostBits >= 128 ? UInt128.MaxValue : UInt128.One << hostBits;
    }

    /// <summary>Parses a subnet strictly: host bits must be zero (<c>10.0.0.1/24</c> is rejected, as Docker does).</summary>
    public static bool TryParseNetwork(string? text, out IPNetwork network)
    {
        network = default;
        if (!CidrAddress.TryParse(text, out var cidr))
        {
            return false;
        }
        if (!cidr.Address.Equals(Mask(cidr.Address, cidr.PrefixLength)))
        {
            return false;
        }
        network = new IPNetwork(cidr.Address, cidr.PrefixLength);
        return true;
    }

    /// <summary>Address family of the subnet.</summary>
    public static AddressFamily Family(IPNetwork network) => network.BaseAddress.AddressFamily;
}
