using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Netstack.Core;
using Netstack.Core.Drivers;
using Netstack.Linux;

namespace Netstack.Drivers.Bridge;

/// <summary>
/// Turns a <see cref="DriverNetwork"/> into a <see cref="BridgeNetworkConfig"/>, rejecting any value the
/// driver cannot use with an <see cref="InvalidParameterException"/> naming the option and the value,
/// before anything is created.
/// </summary>
internal static class BridgeOptionParser
{
    /// <summary>Bridge names default to <c>br-</c> and the first 12 hex digits of the id, as Docker names them.</summary>
    public const int ShortIdLength = 12;

    // 68 is the smallest MTU IPv4 allows (RFC 791); 65535 the largest a Linux device takes.
    private const int MinMtu = 68;
    private const int MaxMtu = 65535;

    public static BridgeNetworkConfig Parse(DriverNetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (string.IsNullOrEmpty(network.NetworkId))
        {
            throw new InvalidParameterException("network id", network.NetworkId, "it is empty");
        }
        var options = network.Options;
        var bridgeName = ParseBridgeName(network.NetworkId, options);
        var icc = ParseBool(options, DockerOptions.BridgeEnableIcc, true);
        var masquerade = ParseBool(options, DockerOptions.BridgeEnableIPMasquerade, true);
        var enableIPv6 = network.EnableIPv6 && network.IPv6.Count > 0;
        var hostBinding = ParseHostBinding(options, enableIPv6);
        var (mtu, mtuSet) = ParseMtu(options);
        var isInternal = network.Internal || ParseBool(options, DockerOptions.Internal, false);

        var v4 = network.IPv4.FirstOrDefault()
            ?? throw new InvalidParameterException("IPAM config", null, "a bridge network needs an IPv4 subnet");
        if (v4.Subnet.BaseAddress.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new InvalidParameterException("IPv4 subnet", v4.Subnet.ToString(), "it is not an IPv4 subnet");
        }
        var gateway = v4.Gateway
            ?? throw new InvalidParameterException("gateway", null, $"the bridge needs a gateway address in {v4.Subnet}");
        if (!v4.Subnet.Contains(gateway.Address))
        {
            throw new InvalidParameterException("gateway", gateway.ToString(), $"it is outside the subnet {v4.Subnet}");
        }

        var v6 = network.IPv6.FirstOrDefault();
        return new BridgeNetworkConfig
        {
            NetworkId = network.NetworkId,
            BridgeName = bridgeName,
            EnableIcc = icc,
            EnableIPMasquerade = masquerade,
            HostBindingIPv4 = hostBinding,
            Mtu = mtu,
            MtuSet = mtuSet,
            Internal = isInternal,
            EnableIPv6 = enableIPv6,
            SubnetV4 = v4.Subnet,
            GatewayV4 = new CidrAddress(gateway.Address, v4.Subnet.PrefixLength),
            SubnetV6 = network.EnableIPv6 ? v6?.Subnet : null,
            GatewayV6 = network.EnableIPv6 ? v6?.Gateway : null,
            Group = LinkGroups.ForNetwork(network.NetworkId),
        };
    }

    private static string ParseBridgeName(string networkId, IReadOnlyDictionary<string, string> options)
    {
        if (!options.TryGetValue(DockerOptions.BridgeName, out var name))
        {
            return "br-" + (networkId.Length > ShortIdLength ? networkId[..ShortIdLength] : networkId);
        }
        var problem = InterfaceNameProblem(name);
        if (problem is not null)
        {
            throw new InvalidParameterException(DockerOptions.BridgeName, name, problem);
        }
        return name;
    }

    private static string? InterfaceNameProblem(string name)
    {
        try
        {
            InterfaceName.Validate(name, "bridge name");
            return null;
        }
        catch (ArgumentException e)
        {
            // The Linux layer's message says why (length in bytes, '/', ':' or whitespace).
            var colon = e.Message.IndexOf("\": ", StringComparison.Ordinal);
            var reason = colon >= 0 ? e.Message[(colon + 3)..] : e.Message;
            var paren = reason.LastIndexOf(" (Parameter", StringComparison.Ordinal);
            return paren >= 0 ? reason[..paren] : reason;
        }
    }

    /// <summary>Booleans as Go's strconv.ParseBool reads them, since Docker parses its options with it.</summary>
    internal static bool ParseBool(IReadOnlyDictionary<string, string> options, string key, bool fallback)
    {
        if (!options.TryGetValue(key, out var text))
        {
            return fallback;
        }
        return text switch
        {
            "1" or "t" or "T" or "true" or "TRUE" or "True" => true,
            "0" or "f" or "F" or "false" or "FALSE" or "False" => false,
            _ => throw new InvalidParameterException(key, text, "must be true or false"),
        };
    }

    /// <summary>
    /// The default host address of published ports. Docker takes any address here despite the
    /// option's name: an IPv6 one publishes ports without a host IP on that address only, which
    /// needs an IPv6 network.
    /// </summary>
    private static IPAddress ParseHostBinding(IReadOnlyDictionary<string, string> options, bool enableIPv6)
    {
        const string Key = DockerOptions.BridgeHostBindingIPv4;
        if (!options.TryGetValue(Key, out var text))
        {
            return IPAddress.Any;
        }
        if (text.Contains(':', StringComparison.Ordinal))
        {
            if (text.Contains('%', StringComparison.Ordinal) || !IPAddress.TryParse(text, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                throw new InvalidParameterException(Key, text, "must be an IP address such as 0.0.0.0, 127.0.0.1, :: or 2001:db8::1");
            }
            if (v6.IsIPv4MappedToIPv6)
            {
                return v6.MapToIPv4();
            }
            if (v6.Equals(IPAddress.IPv6Loopback) || v6.IsIPv6LinkLocal || v6.IsIPv6Multicast)
            {
                throw new InvalidParameterException(Key, text,
                    "ports cannot be published on ::1 (IPv6 has no route_localnet), link-local or multicast addresses; use ::, a global host IPv6 address, or an IPv4 address");
            }
            if (!enableIPv6)
            {
                throw new InvalidParameterException(Key, text, "an IPv6 default binding address needs a network with IPv6 (--ipv6 and an IPv6 subnet)");
            }
            return v6;
        }
        if (!IPAddress.TryParse(text, out var address) || address.AddressFamily != AddressFamily.InterNetwork
            || text.Count(c => c == '.') != 3)
        {
            throw new InvalidParameterException(Key, text, "must be an IP address such as 0.0.0.0, 127.0.0.1, :: or 2001:db8::1");
        }
        return address;
    }

    private static (int Mtu, bool Set) ParseMtu(IReadOnlyDictionary<string, string> options)
    {
        if (!options.TryGetValue(DockerOptions.DriverMtu, out var text))
        {
            return (BridgeNetworkConfig.DefaultMtu, false);
        }
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var mtu) || mtu is < MinMtu or > MaxMtu)
        {
            throw new InvalidParameterException(DockerOptions.DriverMtu, text, $"must be a number in {MinMtu}..{MaxMtu}");
        }
        return (mtu, true);
    }
}
