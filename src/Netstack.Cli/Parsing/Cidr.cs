using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Netstack.Api.Client;

namespace Netstack.Cli.Parsing;

/// <summary>An address with a prefix length, as <c>--subnet</c> and <c>--ip-range</c> take it.</summary>
internal readonly record struct Cidr(IPAddress Address, int PrefixLength)
{
    public static bool TryParse(string text, out Cidr cidr)
    {
        cidr = default;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0
            || !StrictAddress.TryParse(text.AsSpan(0, slash), out var address)
            || !int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var prefix))
        {
            return false;
        }
        var bits = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        if (prefix > bits)
        {
            return false;
        }
        cidr = new Cidr(address, prefix);
        return true;
    }

    public bool Contains(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily != Address.AddressFamily)
        {
            return false;
        }
        Span<byte> mine = stackalloc byte[16];
        Span<byte> theirs = stackalloc byte[16];
        Address.TryWriteBytes(mine, out var length);
        address.TryWriteBytes(theirs, out _);
        var whole = PrefixLength / 8;
        if (!mine[..whole].SequenceEqual(theirs[..whole]))
        {
            return false;
        }
        var rest = PrefixLength % 8;
        if (rest == 0 || whole >= length)
        {
            return true;
        }
        var mask = (byte)(0xFF << (8 - rest));
        return (mine[whole] & mask) == (theirs[whole] & mask);
    }

    public bool Contains(Cidr inner) => inner.PrefixLength >= PrefixLength && Contains(inner.Address);
}
