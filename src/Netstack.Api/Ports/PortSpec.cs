using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Netstack.Api.Client;
using Netstack.Api.Contracts.Containers;

namespace Netstack.Api.Ports;

/// <summary>
/// One published port, as <c>-p [HOSTIP:][HOSTPORT:]PORT[/tcp|udp]</c> writes it: the container port,
/// the protocol, and the host side (address and port; a null port lets the daemon pick one).
/// A range (<c>8080-8081:80-81</c>) parses to one spec per port.
/// </summary>
public sealed record PortSpec(string HostIp, int? HostPort, int ContainerPort, string Protocol)
{
    /// <summary>The engine's port key, e.g. <c>80/tcp</c>.</summary>
    public string Key => $"{ContainerPort.ToString(CultureInfo.InvariantCulture)}/{Protocol}";

    /// <summary>Parses one <c>-p</c> value.</summary>
    /// <exception cref="FormatException">The message quotes the whole spec and says which part is wrong.</exception>
    public static IReadOnlyList<PortSpec> Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Length == 0)
        {
            throw Bad(spec, "it is empty");
        }

        var protocol = "tcp";
        var body = spec;
        var slash = spec.LastIndexOf('/');
        if (slash >= 0)
        {
            protocol = spec[(slash + 1)..].ToLowerInvariant();
            body = spec[..slash];
            if (protocol is not ("tcp" or "udp"))
            {
                throw Bad(spec, $"protocol '{spec[(slash + 1)..]}' is not tcp or udp");
            }
        }

        // The host address may be IPv6 in brackets: [2001:db8::1]:8080:80, [::]::80.
        var hostIp = "";
        if (body.StartsWith('['))
        {
            (hostIp, body) = SplitBracketed(spec, body);
        }
        else if (body.Contains(']', StringComparison.Ordinal))
        {
            throw Bad(spec, "']' without '[': write an IPv6 host address as [ADDRESS], e.g. [2001:db8::1]:8080:80");
        }

        var parts = body.Split(':');
        string hostPortText;
        string containerPortText;
        switch (parts.Length)
        {
            case 1:
                hostPortText = "";
                containerPortText = parts[0];
                break;
            case 2:
                hostPortText = parts[0];
                containerPortText = parts[1];
                break;
            case 3 when hostIp.Length == 0:
                hostIp = parts[0];
                hostPortText = parts[1];
                containerPortText = parts[2];
                if (!StrictAddress.TryParse(hostIp, out var v4) || v4.AddressFamily != AddressFamily.InterNetwork)
                {
                    throw Bad(spec, $"host address '{hostIp}' is not an IPv4 address (write IPv6 in brackets)");
                }
                hostIp = v4.ToString();
                break;
            case > 3 when hostIp.Length == 0 && (body.Contains("::", StringComparison.Ordinal) || parts.Length > 4):
                // Several colons before the ports: an IPv6 address without its brackets.
                throw Bad(spec, $"'{string.Join(':', parts[..^2])}' looks like an IPv6 host address: write it in brackets, [{string.Join(':', parts[..^2])}]:{parts[^2]}:{parts[^1]}");
            default:
                throw Bad(spec, hostIp.Length == 0
                    ? "expected [HOSTIP:][HOSTPORT:]PORT[/PROTO]"
                    : $"expected [{hostIp}]:[HOSTPORT]:PORT[/PROTO] after the bracketed host address");
        }

        var (containerFirst, containerLast) = ParseRange(spec, containerPortText, "container port");
        if (hostPortText.Length == 0)
        {
            return Enumerable.Range(containerFirst, containerLast - containerFirst + 1)
                .Select(p => new PortSpec(hostIp, null, p, protocol))
                .ToList();
        }
        var (hostFirst, hostLast) = ParseRange(spec, hostPortText, "host port");
        if (hostLast - hostFirst != containerLast - containerFirst)
        {
            throw Bad(spec, $"host range {hostPortText} and container range {containerPortText} differ in length");
        }
        return Enumerable.Range(0, containerLast - containerFirst + 1)
            .Select(i => new PortSpec(hostIp, hostFirst + i, containerFirst + i, protocol))
            .ToList();
    }

    /// <summary>Reads an engine port key (<c>80/tcp</c>, <c>53/udp</c>, <c>80</c> meaning tcp).</summary>
    /// <exception cref="FormatException">The message quotes the key.</exception>
    public static (int Port, string Protocol) ParseKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        var protocol = slash < 0 ? "tcp" : key[(slash + 1)..].ToLowerInvariant();
        if (protocol is not ("tcp" or "udp"))
        {
            throw new FormatException($"invalid port '{key}': protocol '{protocol}' is not tcp or udp");
        }
        var portText = slash < 0 ? key : key[..slash];
        if (!TryParsePort(portText, out var port))
        {
            throw new FormatException($"invalid port '{key}': '{portText}' is not a port number (1-65535)");
        }
        return (port, protocol);
    }

    /// <summary>Reads a <c>HostPort</c> of a binding: empty (any free port) or a port number.</summary>
    /// <exception cref="FormatException">The message quotes the value and names the port key.</exception>
    public static int? ParseHostPort(string key, string? hostPort)
    {
        if (string.IsNullOrEmpty(hostPort))
        {
            return null;
        }
        if (!TryParsePort(hostPort, out var port))
        {
            throw new FormatException($"invalid HostPort '{hostPort}' for {key}: not a port number (1-65535)");
        }
        return port;
    }

    /// <summary>The engine's representation: <c>ExposedPorts</c> and <c>HostConfig.PortBindings</c>.</summary>
    public static (Dictionary<string, EmptyObject> Exposed, Dictionary<string, List<PortBinding>> Bindings) ToEngine(IEnumerable<PortSpec> specs)
    {
        ArgumentNullException.ThrowIfNull(specs);
        var exposed = new Dictionary<string, EmptyObject>(StringComparer.Ordinal);
        var bindings = new Dictionary<string, List<PortBinding>>(StringComparer.Ordinal);
        foreach (var spec in specs)
        {
            exposed[spec.Key] = new EmptyObject();
            if (!bindings.TryGetValue(spec.Key, out var list))
            {
                list = [];
                bindings[spec.Key] = list;
            }
            list.Add(new PortBinding
            {
                HostIp = spec.HostIp,
                HostPort = spec.HostPort?.ToString(CultureInfo.InvariantCulture) ?? "",
            });
        }
        return (exposed, bindings);
    }

    /// <summary>
    /// Splits <c>[ADDRESS]:REST</c> into the IPv6 address (normalised) and the ports that follow
    /// (<c>HOSTPORT:PORT</c>, or <c>:PORT</c> when only the container port is given).
    /// </summary>
    private static (string HostIp, string Ports) SplitBracketed(string spec, string body)
    {
        var close = body.IndexOf(']', StringComparison.Ordinal);
        if (close < 0)
        {
            throw Bad(spec, "'[' opens a host address that is never closed with ']'");
        }
        var text = body[1..close];
        if (text.Length == 0)
        {
            throw Bad(spec, "the brackets hold no host address (use [::] for every IPv6 address)");
        }
        if (text.Contains('%', StringComparison.Ordinal))
        {
            throw Bad(spec, $"host address '{text}' has a zone (%...); a published port binds a global address, not a link-local one");
        }
        if (close + 1 >= body.Length || body[close + 1] != ':')
        {
            throw Bad(spec, $"a bracketed host address must be followed by ':' and the ports, e.g. [{text}]:8080:80");
        }
        if (!StrictAddress.TryParse(text, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
        {
            throw Bad(spec, $"host address '{text}' is not an IPv6 address (brackets are for IPv6; write IPv4 without them)");
        }
        var rest = body[(close + 2)..];
        if (rest.Length == 0)
        {
            throw Bad(spec, $"no port after the host address [{text}]");
        }
        return (v6.ToString(), rest.Contains(':', StringComparison.Ordinal) ? rest : ":" + rest);
    }

    private static (int First, int Last) ParseRange(string spec, string text, string what)
    {
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0)
        {
            return TryParsePort(text, out var single)
                ? (single, single)
                : throw Bad(spec, $"{what} '{text}' is not a port number (1-65535)");
        }
        if (!TryParsePort(text[..dash], out var first) || !TryParsePort(text[(dash + 1)..], out var last))
        {
            throw Bad(spec, $"{what} range '{text}' is not FIRST-LAST with ports 1-65535");
        }
        if (last < first)
        {
            throw Bad(spec, $"{what} range '{text}' ends before it starts");
        }
        return (first, last);
    }

    private static bool TryParsePort(string text, out int port) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is >= 1 and <= 65535;

    private static FormatException Bad(string spec, string why) => new($"invalid port spec '{spec}': {why}");
}
