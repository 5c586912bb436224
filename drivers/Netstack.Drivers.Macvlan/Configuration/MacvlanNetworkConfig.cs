using System.Globalization;
using System.Net;
using Netstack.Core;
using Netstack.Core.Drivers;
using Netstack.Linux;

namespace Netstack.Drivers.Macvlan;

/// <summary>A macvlan network's settings, parsed and validated from the controller's <see cref="DriverNetwork"/>.</summary>
internal sealed record MacvlanNetworkConfig
{
    public required string NetworkId { get; init; }

    public required ParentInterface Parent { get; init; }

    public required MacvlanMode Mode { get; init; }

    public required IReadOnlyList<IPNetwork> Subnets { get; init; }

    public IPAddress? GatewayV4 { get; init; }

    public IPAddress? GatewayV6 { get; init; }

    public bool Internal { get; init; }

    /// <summary>The macvlans' MTU (<c>com.docker.network.driver.mtu</c>); null inherits the parent's.</summary>
    public int? Mtu { get; init; }

    // RFC 791: every IPv4 host must handle 68-byte datagrams; 65535 is the largest MTU the kernel takes.
    private const int MinMtu = 68;
    private const int MaxMtu = 65535;

    /// <summary>Parses the options; bad ones are <see cref="InvalidParameterException"/>s naming the option and value.</summary>
    public static MacvlanNetworkConfig From(DriverNetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        network.Options.TryGetValue(MacvlanOptionNames.Parent, out var parent);
        network.Options.TryGetValue(MacvlanOptionNames.Mode, out var mode);
        return new MacvlanNetworkConfig
        {
            NetworkId = network.NetworkId,
            Parent = ParentInterface.Parse(parent),
            Mode = MacvlanModes.Parse(mode),
            Subnets = [.. network.IPv4.Select(p => p.Subnet), .. network.IPv6.Select(p => p.Subnet)],
            GatewayV4 = network.IPv4.Select(p => p.Gateway?.Address).FirstOrDefault(g => g is not null),
            GatewayV6 = network.IPv6.Select(p => p.Gateway?.Address).FirstOrDefault(g => g is not null),
            Internal = network.Internal,
            Mtu = ParseMtu(network.Options),
        };
    }

    private static int? ParseMtu(IReadOnlyDictionary<string, string> options)
    {
        if (!options.TryGetValue(DockerOptions.DriverMtu, out var text))
        {
            return null;
        }
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var mtu) || mtu is < MinMtu or > MaxMtu)
        {
            throw new InvalidParameterException(DockerOptions.DriverMtu, text, $"must be a number in {MinMtu}..{MaxMtu}");
        }
        return mtu;
    }

    /// <summary>The first of this network's subnets that overlaps one of <paramref name="other"/>'s, if any.</summary>
    public (IPNetwork Mine, IPNetwork Theirs)? OverlappingSubnet(MacvlanNetworkConfig other)
    {
        foreach (var mine in Subnets)
        {
            foreach (var theirs in other.Subnets)
            {
                if (mine.BaseAddress.AddressFamily == theirs.BaseAddress.AddressFamily
                    && (mine.Contains(theirs.BaseAddress) || theirs.Contains(mine.BaseAddress)))
                {
                    return (mine, theirs);
                }
            }
        }
        return null;
    }
}
