using System.Net;

namespace Netstack.Dns.Upstream;

/// <summary>
/// Reads <c>nameserver</c> lines of a resolv.conf (resolv.conf(5)): one address per line, comments
/// after '#' or ';'. The caller gives the text or the path: the daemon passes the host's file; tests
/// pass their own text and never read the machine's.
/// </summary>
public static class ResolvConf
{
    public static IReadOnlyList<IPAddress> ParseNameservers(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var servers = new List<IPAddress>();
        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine;
            var comment = line.IndexOfAny(['#', ';']);
            if (comment >= 0)
            {
                line = line[..comment];
            }

            var fields = line.Split([' ', '\t', '\r'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 2 || fields[0] != "nameserver")
            {
                continue;
            }

            // glibc accepts "fe80::1%eth0"; IPAddress.TryParse keeps the scope id.
            if (IPAddress.TryParse(fields[1], out var address))
            {
                servers.Add(address);
            }
        }

        return servers;
    }

    public static IReadOnlyList<IPAddress> ReadNameservers(string path) => ParseNameservers(File.ReadAllText(path));
}
