using System.Net;
using System.Net.Sockets;
using Netstack.Core;

namespace Netstack.Controller;

/// <summary>An endpoint spec after validation.</summary>
internal sealed record EndpointPlan(
    string? Name,
    IPAddress? IPv4,
    IPAddress? IPv6,
    string? MacAddress,
    IReadOnlyList<string> Aliases,
    IReadOnlyList<PortBinding> Ports,
    IReadOnlyDictionary<string, string> DriverOptions)
{
    /// <summary>Longest DNS name (RFC 1035 2.3.4: 255 octets on the wire, 253 as text).</summary>
    private const int MaxDnsName = 253;

    public static EndpointPlan Create(EndpointSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Name is not null)
        {
            NameRules.Validate("endpoint name", spec.Name);
        }
        var ipv4 = ParseAddress("ip", spec.IPv4Address, AddressFamily.InterNetwork);
        var ipv6 = ParseAddress("ip6", spec.IPv6Address, AddressFamily.InterNetworkV6);
        var mac = spec.MacAddress is { Length: > 0 } m ? MacAddresses.Normalize("mac-address", m) : null;
        foreach (var alias in spec.Aliases)
        {
            if (string.IsNullOrWhiteSpace(alias) || alias.Length > MaxDnsName || alias.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c > 127))
            {
                throw new InvalidParameterException("alias", alias, $"an alias is an ASCII DNS name of 1 to {MaxDnsName} characters without spaces");
            }
            // RFC 1035 2.3.4: a label has 1 to 63 octets.
            if (alias.Split('.').Any(label => label.Length is 0 or > 63))
            {
                throw new InvalidParameterException("alias", alias, "each dot-separated label of an alias has 1 to 63 characters");
            }
        }
        foreach (var port in spec.PublishedPorts)
        {
            // TCP and UDP ports are 16-bit (RFC 793, RFC 768); port 0 is not a service port.
            if (port.ContainerPort is < 1 or > 65535)
            {
                throw new InvalidParameterException("publish", port.ToString(), $"container port {port.ContainerPort} is not in 1-65535");
            }
            if (port.HostPort is < 0 or > 65535)
            {
                throw new InvalidParameterException("publish", port.ToString(), $"host port {port.HostPort} is not in 1-65535 (0 picks one)");
            }
        }
        var duplicate = spec.PublishedPorts
            .Where(p => p.HostPort != 0)
            .GroupBy(p => (p.Protocol, p.HostPort, Ip: p.HostIp?.ToString() ?? "0.0.0.0"))
            .FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidParameterException("publish", duplicate.First().ToString(), "the same host port is published twice");
        }
        return new EndpointPlan(spec.Name, ipv4, ipv6, mac, spec.Aliases.Distinct(StringComparer.Ordinal).ToArray(), spec.PublishedPorts, spec.DriverOptions);
    }

    private static IPAddress? ParseAddress(string field, string? text, AddressFamily family)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }
        if (!IPAddress.TryParse(text, out var address) || text.Contains('/', StringComparison.Ordinal))
        {
            throw new InvalidParameterException(field, text, "not an IP address");
        }
        if (address.AddressFamily != family)
        {
            throw new InvalidParameterException(field, text, family == AddressFamily.InterNetwork ? "not an IPv4 address" : "not an IPv6 address");
        }
        return address;
    }
}
