using System.Text;
using Netstack.Core;

namespace Netstack.Daemon.Containers;

/// <summary>A container's <c>/etc/hosts</c>, laid out as Docker writes it.</summary>
internal static class HostsFile
{
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
}
