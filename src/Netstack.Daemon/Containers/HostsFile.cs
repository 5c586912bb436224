using System.Text;
using Netstack.Core;

namespace Netstack.Daemon.Containers;

/// <summary>A container's <c>/etc/hosts</c>, laid out as Docker writes it.</summary>
internal static class HostsFile
{
    /// <summary>The hosts file with <paramref name="extraHosts"/> (<c>NAME:IP</c>, from <c>--add-host</c>) after Docker's own lines.</summary>
    public static string Hosts(string hostname, IEnumerable<EndpointInfo> endpoints, IReadOnlyList<string> extraHosts) =>
        WithExtraHosts(Hosts(hostname, endpoints), extraHosts);

    public static string WithExtraHosts(string hosts, IReadOnlyList<string> extraHosts)
    {
        var text = new StringBuilder(hosts);
        foreach (var entry in extraHosts)
        {
            var (name, address) = SplitExtraHost(entry)!.Value;
            text.Append(address).Append('\t').Append(name).Append('\n');
        }
        return text.ToString();
    }

    /// <summary><c>NAME:IP</c> (or <c>NAME=IP</c>) split at the first separator, so an IPv6 address keeps its colons; null when it is not one.</summary>
    public static (string Name, string Address)? SplitExtraHost(string entry)
    {
        var at = entry.IndexOfAny([':', '=']);
        if (at <= 0 || at == entry.Length - 1)
        {
            return null;
        }
        var name = entry[..at];
        var address = entry[(at + 1)..].Trim('[', ']');
        return name.Any(char.IsWhiteSpace) || !Api.Client.StrictAddress.TryParse(address, out _) ? null : (name, address);
    }

    public static string Hosts(string hostname, IEnumerable<EndpointInfo> endpoints)
    {
        var text = new StringBuilder()
            .Append("127.0.0.1\tlocalhost\n")
            .Append("::1\tlocalhost ip6-localhost ip6-loopback\n")
            .Append("fe00::0\tip6-localnet\n")
            .Append("ff00::0\tip6-mcastprefix\n")
            .Append("ff02::1\tip6-allnodes\n")
            .Append("ff02::2\tip6-allrouters\n");
        var any = false;
        foreach (var endpoint in endpoints)
        {
            if (endpoint.IPv4Address is { } v4)
            {
                text.Append(v4.Address).Append('\t').Append(hostname).Append('\n');
                any = true;
            }
            if (endpoint.IPv6Address is { } v6)
            {
                text.Append(v6.Address).Append('\t').Append(hostname).Append('\n');
                any = true;
            }
        }
        if (!any)
        {
            // Without an interface the name still resolves, as on Debian hosts.
            text.Append("127.0.1.1\t").Append(hostname).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>
    /// The resolv.conf of a container whose sandbox has an embedded resolver: only 127.0.0.11 (the
    /// resolver forwards other names upstream), and <c>ndots:0</c> so single-label names such as
    /// container names are asked as they are, as Docker writes it.
    /// </summary>
    public static string EmbeddedResolvConf() => "nameserver 127.0.0.11\noptions ndots:0\n";

    /// <summary>The given servers; null when none, leaving the runtime's default.</summary>
    public static string? ResolvConf(IReadOnlyList<string> servers)
    {
        if (servers.Count == 0)
        {
            return null;
        }
        var text = new StringBuilder();
        foreach (var server in servers)
        {
            text.Append("nameserver ").Append(server).Append('\n');
        }
        return text.ToString();
    }
}
