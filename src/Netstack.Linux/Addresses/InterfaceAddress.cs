using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Netstack.Linux;

/// <summary>
/// An address with its prefix length as it sits on an interface (<c>10.0.0.2/24</c>): unlike
/// <see cref="IPNetwork"/> the host bits are kept.
/// </summary>
public readonly record struct InterfaceAddress
{
    public InterfaceAddress(IPAddress address, int prefixLength)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            throw new ArgumentException($"invalid address \"{address}\": only IPv4 and IPv6 are supported", nameof(address));
        }
        var max = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        if (prefixLength < 0 || prefixLength > max)
        {
            throw new ArgumentOutOfRangeException(nameof(prefixLength), prefixLength, $"invalid prefix length {prefixLength} for {address}: must be 0..{max}");
        }
        Address = address;
        PrefixLength = prefixLength;
    }

    public IPAddress Address { get; }

    public int PrefixLength { get; }

    public bool IsIPv6 => Address.AddressFamily == AddressFamily.InterNetworkV6;

    /// <summary>Parses <c>ADDRESS/PREFIX</c>; a bare address gets /32 or /128.</summary>
    public static InterfaceAddress Parse(string text)
    {
        if (!TryParse(text, out var result, out var problem))
        {
            throw new FormatException($"invalid interface address \"{text}\": {problem}");
        }
        return result;
    }

    public static bool TryParse(string? text, out InterfaceAddress result) => TryParse(text, out result, out _);

    private static bool TryParse(string? text, out InterfaceAddress result, out string problem)
    {
        result = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            problem = "it is empty";
            return false;
        }
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var addressText = slash >= 0 ? text[..slash] : text;
        if (!IPAddress.TryParse(addressText, out var address) || addressText.Contains('%', StringComparison.Ordinal))
        {
            problem = $"\"{addressText}\" is not an IP address";
            return false;
        }
        var max = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var prefix = max;
        if (slash >= 0 && (!int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix > max))
        {
            problem = $"prefix \"{text[(slash + 1)..]}\" is not a number in 0..{max}";
            return false;
        }
        result = new InterfaceAddress(address, prefix);
        problem = "";
        return true;
    }

    public override string ToString() => $"{Address}/{PrefixLength.ToString(CultureInfo.InvariantCulture)}";
}
