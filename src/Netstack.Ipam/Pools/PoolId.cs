using System.Net;
using Netstack.Core;

namespace Netstack.Ipam;

/// <summary>
/// Pool ids as Docker writes them: <c>&lt;space&gt;/&lt;subnet&gt;</c>, or with an ip-range
/// <c>&lt;space&gt;/&lt;subnet&gt;/&lt;range&gt;</c> (<c>LocalDefault/172.18.0.0/16</c>).
/// Subnets never overlap within a space, so the subnet alone identifies the pool's state.
/// </summary>
internal readonly record struct PoolId(string AddressSpace, IPNetwork Subnet, IPNetwork? Range)
{
    public override string ToString() =>
        Range is { } r ? $"{AddressSpace}/{Subnet}/{r}" : $"{AddressSpace}/{Subnet}";

    /// <summary>Store key segment for the subnet: <c>/</c> is the key separator, so the prefix length follows a dash.</summary>
    public string SubnetKey => $"{Subnet.BaseAddress}-{Subnet.PrefixLength}";

    public static PoolId Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split('/');
        if ((parts.Length == 3 || parts.Length == 5)
            && parts[0].Length > 0
            && IPNetworkMath.TryParseNetwork($"{parts[1]}/{parts[2]}", out var subnet))
        {
            if (parts.Length == 3)
            {
                return new PoolId(parts[0], subnet, null);
            }
            if (IPNetworkMath.TryParseNetwork($"{parts[3]}/{parts[4]}", out var range))
            {
                return new PoolId(parts[0], subnet, range);
            }
        }
        throw new InvalidParameterException("pool id", text, "expected <address space>/<subnet>[/<ip-range>]");
    }
}
