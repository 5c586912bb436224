using System.Globalization;
using System.Net;

namespace Netstack.Daemon.Gossip;

/// <summary>Parses the <c>IP[:PORT]</c> form of <c>--advertise-addr</c>, <c>--listen-addr</c> and <c>--join</c>.</summary>
internal static class GossipEndpoint
{
    /// <summary>
    /// <c>10.0.0.1</c>, <c>10.0.0.1:7946</c>, <c>::1</c> or <c>[::1]:7946</c>; null when <paramref name="text"/>
    /// is not one of those. <paramref name="hasPort"/> says whether the port was written.
    /// </summary>
    public static IPEndPoint? TryParse(string text, out bool hasPort)
    {
        hasPort = false;
        text = text.Trim();
        if (IPAddress.TryParse(text, out var bare) && !text.StartsWith('['))
        {
            return new IPEndPoint(bare, GossipDaemonOptions.DefaultPort);
        }
        var colon = text.LastIndexOf(':');
        if (colon <= 0)
        {
            return null;
        }
        var host = text[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }
        else if (host.Contains(':', StringComparison.Ordinal))
        {
            // An IPv6 address with a port must be bracketed, or the port is ambiguous.
            return null;
        }
        if (!IPAddress.TryParse(host, out var address)
            || !int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            || port is < 1 or > 65535)
        {
            return null;
        }
        hasPort = true;
        return new IPEndPoint(address, port);
    }
}
