using System.Net;

namespace Netstack.Dns.Upstream;

/// <summary>Chooses a sandbox's upstream servers the way Docker does.</summary>
public static class UpstreamServers
{
    /// <summary>DNS servers listen on port 53 (RFC 1035 4.2).</summary>
    public const int DnsPort = 53;

    /// <summary>
    /// The container's <c>--dns</c> servers, else the daemon's configured servers, else the
    /// nameservers of the host's resolv.conf (read only when needed, through <paramref name="hostNameservers"/>).
    /// </summary>
    public static IReadOnlyList<IPEndPoint> Choose(
        IReadOnlyList<IPAddress>? containerDns,
        IReadOnlyList<IPAddress>? daemonDns,
        Func<IReadOnlyList<IPAddress>> hostNameservers)
    {
        ArgumentNullException.ThrowIfNull(hostNameservers);
        var chosen = containerDns is { Count: > 0 } ? containerDns
            : daemonDns is { Count: > 0 } ? daemonDns
            : hostNameservers();
        return [.. chosen.Distinct().Select(a => new IPEndPoint(a, DnsPort))];
    }
}
