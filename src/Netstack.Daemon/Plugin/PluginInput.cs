using System.Globalization;
using System.Net;
using System.Text.Json;
using Netstack.Api.Contracts.Plugins;
using Netstack.Api.Serialization;
using Netstack.Core;

namespace Netstack.Daemon.Plugin;

/// <summary>
/// Checks of plugin call fields. Each failure is an <see cref="InvalidParameterException"/> naming
/// the field as Docker's JSON spells it (<c>NetworkID</c>, <c>IPv4Data[0].Pool</c>) and the bad value.
/// </summary>
internal static class PluginInput
{
    /// <summary>Docker's network and endpoint ids: 64 lowercase or uppercase hex digits.</summary>
    public static string Id(string? value, string field)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw new InvalidParameterException(field, value, "it is missing or empty");
        }
        if (!ObjectId.IsFull(value.ToLowerInvariant()))
        {
            throw new InvalidParameterException(field, Shorten(value), "expected 64 hex digits, as dockerd's ids are");
        }
        return value.ToLowerInvariant();
    }

    public static IPNetwork Subnet(string? value, string field)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw new InvalidParameterException(field, value, "it is missing or empty");
        }
        if (!IPNetworkMath.TryParseNetwork(value, out var subnet))
        {
            throw new InvalidParameterException(field, Shorten(value), "expected a subnet such as 10.60.0.0/24");
        }
        return subnet;
    }

    public static CidrAddress? OptionalCidr(string? value, string field)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }
        return CidrAddress.TryParse(value, out var address) ? address : throw new InvalidParameterException(field, Shorten(value), "expected an address with prefix length such as 10.60.0.2/24");
    }

    /// <summary>A plain address or one in CIDR form (Docker sends both, depending on the call).</summary>
    public static IPAddress? OptionalAddress(string? value, string field)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }
        if (IPAddress.TryParse(value, out var plain) && !value.Contains('/', StringComparison.Ordinal))
        {
            return plain;
        }
        return CidrAddress.TryParse(value, out var cidr) ? cidr.Address : throw new InvalidParameterException(field, Shorten(value), "expected an IP address such as 10.60.0.2");
    }

    /// <summary>
    /// The <c>-o</c> options in <c>Options["com.docker.network.generic"]</c>: an object of strings
    /// (numbers and booleans are taken as their text, as a user typing <c>-o mtu=1400</c> means).
    /// </summary>
    public static Dictionary<string, string> GenericOptions(Dictionary<string, JsonElement>? options)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (options is null || !options.TryGetValue(PluginProtocol.GenericOptions, out var generic) || generic.ValueKind == JsonValueKind.Null)
        {
            return result;
        }
        var field = $"Options.{PluginProtocol.GenericOptions}";
        if (generic.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidParameterException(field, Describe(generic), "expected an object of option names to values");
        }
        foreach (var property in generic.EnumerateObject())
        {
            result[property.Name] = property.Value.ValueKind switch
            {
                JsonValueKind.String => property.Value.GetString()!,
                JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => property.Value.GetRawText(),
                _ => throw new InvalidParameterException($"{field}.{property.Name}", Describe(property.Value), "expected a string value"),
            };
        }
        return result;
    }

    /// <summary>A boolean among Docker's top-level options (<c>com.docker.network.enable_ipv6</c>); absent is false.</summary>
    public static bool BoolOption(Dictionary<string, JsonElement>? options, string key)
    {
        if (options is null || !options.TryGetValue(key, out var value))
        {
            return false;
        }
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False or JsonValueKind.Null => false,
            JsonValueKind.String when bool.TryParse(value.GetString(), out var b) => b,
            _ => throw new InvalidParameterException($"Options.{key}", Describe(value), "expected true or false"),
        };
    }

    /// <summary>The published ports in <c>Options["com.docker.network.portmap"]</c>; absent is none.</summary>
    public static IReadOnlyList<PortBinding> PortMap(Dictionary<string, JsonElement>? options)
    {
        if (options is null || !options.TryGetValue(PluginProtocol.PortMapOption, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return [];
        }
        var field = $"Options.{PluginProtocol.PortMapOption}";
        List<PluginPortBinding>? bindings;
        try
        {
            bindings = value.Deserialize(PluginJsonContext.Default.ListPluginPortBinding);
        }
        catch (JsonException e)
        {
            throw new InvalidParameterException(field + (e.Path is { Length: > 1 } p ? p[1..] : string.Empty), Shorten(value.GetRawText()), "expected a list of {Proto, IP, Port, HostIP, HostPort, HostPortEnd}");
        }
        var result = new List<PortBinding>();
        for (var i = 0; i < (bindings?.Count ?? 0); i++)
        {
            var b = bindings![i];
            var at = $"{field}[{i.ToString(CultureInfo.InvariantCulture)}]";
            var protocol = b.Proto switch
            {
                6 => PortProtocol.Tcp,
                17 => PortProtocol.Udp,
                132 => PortProtocol.Sctp,
                _ => throw new InvalidParameterException(at + ".Proto", b.Proto.ToString(CultureInfo.InvariantCulture), "expected 6 (tcp), 17 (udp) or 132 (sctp)"),
            };
            if (b.Port is < 1 or > 65535)
            {
                throw new InvalidParameterException(at + ".Port", b.Port.ToString(CultureInfo.InvariantCulture), "expected a port in 1..65535");
            }
            if (b.HostPort is < 0 or > 65535)
            {
                throw new InvalidParameterException(at + ".HostPort", b.HostPort.ToString(CultureInfo.InvariantCulture), "expected a port in 0..65535 (0 picks one)");
            }
            if (b.HostPortEnd != 0 && b.HostPortEnd != b.HostPort)
            {
                throw new InvalidParameterException(at + ".HostPortEnd", b.HostPortEnd.ToString(CultureInfo.InvariantCulture), "host port ranges are not supported: publish one host port per container port");
            }
            result.Add(new PortBinding
            {
                Protocol = protocol,
                ContainerPort = b.Port,
                HostPort = b.HostPort,
                HostIp = OptionalAddress(b.HostIp, at + ".HostIP"),
            });
        }
        return result;
    }

    /// <summary>A JSON value in an error message: a string as itself, anything else as its JSON text.</summary>
    public static string Describe(JsonElement value) =>
        Shorten(value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText());

    /// <summary>A bad value in an error message: a 10 MB string is cut, so the answer stays small.</summary>
    public static string Shorten(string value) => value.Length <= 80 ? value : value[..77] + "...";
}
