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
    /// resolver forwards other names upstream), the search domains and options asked for
    /// (<c>--dns-search</c>, <c>--dns-option</c>), and <c>ndots:0</c> unless an ndots was asked for,
    /// so single-label names such as container names are asked as they are, as Docker writes it.
    /// </summary>
    public static string EmbeddedResolvConf(IReadOnlyList<string>? search = null, IReadOnlyList<string>? options = null)
    {
        var text = new StringBuilder("nameserver 127.0.0.11\n");
        var all = new List<string>(options ?? []);
        if (!all.Any(IsNdots))
        {
            all.Add("ndots:0");
        }
        AppendSearchAndOptions(text, search ?? [], all);
        return text.ToString();
    }

    /// <summary>The given servers, search domains and options; null when there are none of any, leaving the runtime's default.</summary>
    public static string? ResolvConf(IReadOnlyList<string> servers, IReadOnlyList<string>? search = null, IReadOnlyList<string>? options = null)
    {
        if (servers.Count == 0 && (search?.Count ?? 0) == 0 && (options?.Count ?? 0) == 0)
        {
            return null;
        }
        var text = new StringBuilder();
        foreach (var server in servers)
        {
            text.Append("nameserver ").Append(server).Append('\n');
        }
        AppendSearchAndOptions(text, search ?? [], options ?? []);
        return text.ToString();
    }

    /// <summary>A copy of the host's resolv.conf (host network mode) with its search and options lines replaced by those asked for, when any.</summary>
    public static string WithSearchAndOptions(string resolvConf, IReadOnlyList<string> search, IReadOnlyList<string> options)
    {
        ArgumentNullException.ThrowIfNull(resolvConf);
        if (search.Count == 0 && options.Count == 0)
        {
            return resolvConf;
        }
        var text = new StringBuilder();
        foreach (var line in resolvConf.Split('\n'))
        {
            var word = line.TrimStart();
            if ((search.Count > 0 && (word.StartsWith("search", StringComparison.Ordinal) || word.StartsWith("domain", StringComparison.Ordinal)))
                || (options.Count > 0 && word.StartsWith("options", StringComparison.Ordinal)) || line.Length == 0)
            {
                continue;
            }
            text.Append(line).Append('\n');
        }
        AppendSearchAndOptions(text, search, options);
        return text.ToString();
    }

    private static bool IsNdots(string option) => option.StartsWith("ndots:", StringComparison.Ordinal);

    private static void AppendSearchAndOptions(StringBuilder text, IReadOnlyList<string> search, IReadOnlyList<string> options)
    {
        if (search.Count > 0)
        {
            text.Append("search ").AppendJoin(' ', search).Append('\n');
        }
        if (options.Count > 0)
        {
            text.Append("options ").AppendJoin(' ', options).Append('\n');
        }
    }
}
