using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Netstack.Core;

/// <summary>
/// An interface address with its prefix length, such as <c>172.18.0.2/16</c>. Unlike
/// <see cref="IPNetwork"/>, host bits may be set (that is the point: it is an address, not a subnet).
/// </summary>
public readonly record struct CidrAddress
{
    public CidrAddress(IPAddress address, int prefixLength)
    {
        ArgumentNullException.ThrowIfNull(address);
        var max = address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32;
        ArgumentOutOfRangeException.ThrowIfNegative(prefixLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(prefixLength, max);
        Address = address;
        PrefixLength = prefixLength;
    }

    public IPAddress Address { get; }

    public int PrefixLength { get; }

    public bool IsIPv6 => Address.AddressFamily == AddressFamily.InterNetworkV6;

    /// <summary>The subnet this address is in.</summary>
    public IPNetwork Network => new IPNetwork(IPNetworkMath.Mask(Address, PrefixLength), PrefixLength);

    public static CidrAddress Parse(string text) =>
        TryParse(text, out var value) ? value : throw new FormatException($"\"{text}\" is not an address with prefix length (like 172.18.0.2/16)");

    public static bool TryParse([NotNullWhen(true)] string? text, out CidrAddress value)
    {
        value = default;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || !IPAddress.TryParse(text.AsSpan(0, slash), out var address)
            || !int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var prefix))
        {
            return false;
        }
        var max = address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32;
        if (prefix > max || address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            return false;
        }
        value = new CidrAddress(address, prefix);
        return true;
    }

    public override string ToString() => Address is null ? string.Empty : $"{Address}/{PrefixLength.ToString(CultureInfo.InvariantCulture)}";
}
