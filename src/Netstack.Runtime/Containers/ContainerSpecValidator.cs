using System.Net;
using System.Text.RegularExpressions;

namespace Netstack.Runtime.Containers;

/// <summary>Checks a <see cref="ContainerSpec"/> field by field; the first bad field throws with its name and value.</summary>
internal static partial class ContainerSpecValidator
{
    // RFC 1123 host names: labels of letters, digits and '-', not starting or ending with '-';
    // the kernel's UTS nodename holds at most 64 bytes (__NEW_UTS_LEN), Docker limits labels to 63.
    [GeneratedRegex(@"^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$")]
    private static partial Regex HostnamePattern();

    public static void Validate(ContainerSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Cmd.Count == 0 || string.IsNullOrEmpty(spec.Cmd[0]))
        {
            throw RuntimeException.Invalid("cmd is empty: the image has no default command, give one (e.g. sh -c '...')");
        }
        foreach (var entry in spec.Env)
        {
            ValidateEnv(entry, "env");
        }
        if (spec.Hostname is not null)
        {
            ValidateHostname(spec.Hostname);
        }
        if (spec.WorkingDir is not null && !spec.WorkingDir.StartsWith('/'))
        {
            throw RuntimeException.Invalid($"invalid working dir \"{spec.WorkingDir}\": must be an absolute path");
        }
        foreach (var network in spec.Networks)
        {
            if (string.IsNullOrWhiteSpace(network.Network))
            {
                throw RuntimeException.Invalid("networks: a network name is empty");
            }
            ValidateAddress(network.IPv4Address, "ipv4 address", System.Net.Sockets.AddressFamily.InterNetwork);
            ValidateAddress(network.IPv6Address, "ipv6 address", System.Net.Sockets.AddressFamily.InterNetworkV6);
        }
        foreach (var port in spec.Ports)
        {
            ValidatePort(port);
        }
        foreach (var server in spec.Dns)
        {
            if (!TryParseAddress(server, out _))
            {
                throw RuntimeException.Invalid($"invalid dns server \"{server}\": not an IP address");
            }
        }
        foreach (var entry in spec.DnsSearch.Concat(spec.DnsOptions))
        {
            // One word per entry: resolv.conf separates them by blanks and ends a line at a newline.
            if (entry.Length == 0 || entry.Any(c => char.IsWhiteSpace(c) || c == '\0'))
            {
                throw RuntimeException.Invalid($"invalid dns search domain or option \"{entry}\": one word without blanks");
            }
        }
        ValidateMounts(spec.Mounts);
        if (spec.StopSignal is { Length: > 0 } signal)
        {
            Signals.Parse(signal);
        }
        if (spec.StopTimeout is < -1)
        {
            throw RuntimeException.Invalid($"invalid stop timeout {spec.StopTimeout}: seconds, 0 or more (-1 waits for ever)");
        }
    }

    /// <summary>Absolute targets, each once, not the root; a bind's source an absolute path that exists.</summary>
    public static void ValidateMounts(IReadOnlyList<ContainerMount> mounts)
    {
        var targets = new HashSet<string>(StringComparer.Ordinal);
        foreach (var mount in mounts)
        {
            var target = mount.Destination;
            if (!target.StartsWith('/') || target.Contains('\0', StringComparison.Ordinal))
            {
                throw RuntimeException.Invalid($"invalid mount target \"{target}\": must be an absolute path in the container");
            }
            var clean = Path.TrimEndingDirectorySeparator(target);
            if (clean is "/" or "")
            {
                throw RuntimeException.Invalid($"invalid mount target \"{target}\": the root of the container cannot be a mount");
            }
            if (!targets.Add(clean))
            {
                throw RuntimeException.Invalid($"duplicate mount point \"{target}\"");
            }
            switch (mount.Type)
            {
                case ContainerMount.Bind:
                    if (mount.Source is not { } source || !source.StartsWith('/'))
                    {
                        throw RuntimeException.Invalid($"invalid bind source \"{mount.Source}\" for {target}: must be an absolute host path");
                    }
                    if (!File.Exists(source) && !Directory.Exists(source))
                    {
                        throw RuntimeException.Invalid($"invalid bind source \"{source}\" for {target}: bind source path does not exist");
                    }
                    break;
                case ContainerMount.Tmpfs:
                    break;
                default:
                    throw RuntimeException.Invalid($"invalid mount type \"{mount.Type}\" for {target}: bind or tmpfs");
            }
        }
    }

    public static void ValidateEnv(string entry, string field)
    {
        var equals = entry.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0 || entry.Contains('\0', StringComparison.Ordinal))
        {
            throw RuntimeException.Invalid($"invalid {field} entry \"{entry}\": expected KEY=VALUE");
        }
    }

    public static void ValidateHostname(string hostname)
    {
        if (hostname.Length > 64 || !HostnamePattern().IsMatch(hostname))
        {
            throw RuntimeException.Invalid(
                $"invalid hostname \"{hostname}\": letters, digits, '-' and '.', at most 64 characters (RFC 1123)");
        }
    }

    /// <summary>
    /// IPAddress.TryParse also takes the old inet_aton shorthands ("1.2.3" is 1.2.0.3, "10" is
    /// 0.0.0.10); an address given by a user must be written out: four dotted decimals or IPv6.
    /// </summary>
    internal static bool TryParseAddress(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IPAddress? address)
    {
        address = null;
        if (!text.Contains(':', StringComparison.Ordinal) && text.Count(c => c == '.') != 3)
        {
            return false;
        }
        return IPAddress.TryParse(text, out address);
    }

    private static void ValidateAddress(string? value, string field, System.Net.Sockets.AddressFamily family)
    {
        if (value is null)
        {
            return;
        }
        if (!TryParseAddress(value, out var address) || address.AddressFamily != family)
        {
            throw RuntimeException.Invalid($"invalid {field} \"{value}\"");
        }
    }

    private static void ValidatePort(PortRequest port)
    {
        // TCP and UDP ports are 16-bit; 0 is "any" only on the host side.
        if (port.ContainerPort is < 1 or > 65535)
        {
            throw RuntimeException.Invalid($"invalid container port {port.ContainerPort}: must be 1-65535");
        }
        if (port.HostPort is < 0 or > 65535)
        {
            throw RuntimeException.Invalid($"invalid host port {port.HostPort}: must be 0-65535");
        }
        if (port.Protocol is not ("tcp" or "udp"))
        {
            throw RuntimeException.Invalid($"invalid protocol \"{port.Protocol}\" for port {port.ContainerPort}: must be tcp or udp");
        }
        if (port.HostIp is not null && !TryParseAddress(port.HostIp, out _))
        {
            throw RuntimeException.Invalid($"invalid host ip \"{port.HostIp}\" for port {port.ContainerPort}");
        }
    }
}
