using System.Globalization;
using Netstack.Core;
using Netstack.Linux;

namespace Netstack.Drivers.Bridge;

/// <summary>
/// Ports in use by sockets of the host namespace, read from /proc/thread-self/net/{tcp,udp}{,6} inside it, and
/// the ephemeral port range (net.ipv4.ip_local_port_range), so that host port 0 picks a port no
/// program listens on (Docker's port allocator uses the same range).
/// </summary>
internal static class HostSockets
{
    /// <summary>TCP_LISTEN in the kernel's tcp_states.h, as /proc/net/tcp prints it (hex "0A").</summary>
    private const string TcpListen = "0A";

    public static (int First, int Last) EphemeralRange(HostNetwork host)
    {
        var text = host.ReadSysctl("net.ipv4.ip_local_port_range");
        var parts = text.Split(['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var first)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var last)
            && first > 0 && last >= first)
        {
            return (first, last);
        }
        throw new InternalException($"cannot read net.ipv4.ip_local_port_range in {host.Description}: \"{text}\"");
    }

    /// <summary>Local ports with a TCP listener or a bound UDP socket in the host namespace.</summary>
    public static HashSet<(PortProtocol, int)> InUse(HostNetwork host)
    {
        var files = new[] { ("/proc/thread-self/net/tcp", PortProtocol.Tcp), ("/proc/thread-self/net/tcp6", PortProtocol.Tcp), ("/proc/thread-self/net/udp", PortProtocol.Udp), ("/proc/thread-self/net/udp6", PortProtocol.Udp) };
        var result = new HashSet<(PortProtocol, int)>();
        // /proc/self/net shows the main thread's namespace; /proc/thread-self/net the calling thread's, so it is read on a thread inside the host namespace.
        var contents = host.RunInside(() => files.Select(f => (File.Exists(f.Item1) ? File.ReadAllLines(f.Item1) : [], f.Item2)).ToList());
        foreach (var (lines, protocol) in contents)
        {
            foreach (var line in lines.Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 4)
                {
                    continue;
                }
                if (protocol == PortProtocol.Tcp && fields[3] != TcpListen)
                {
                    continue;
                }
                var colon = fields[1].LastIndexOf(':');
                if (colon > 0 && int.TryParse(fields[1].AsSpan(colon + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var port))
                {
                    result.Add((protocol, port));
                }
            }
        }
        return result;
    }
}
