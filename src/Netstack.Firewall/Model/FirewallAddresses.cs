using System.Net;
using System.Net.Sockets;

namespace Netstack.Firewall;

/// <summary>
/// Checks that the addresses a rule names belong to its rule set's family, so an IPv4 address in an
/// IPv6 rule set (or the reverse) is refused with the rule and the value named, before any program
/// runs, instead of as ip6tables-restore's "host/network not found" for the whole batch. Values
/// that are no address at all are iptables' to judge.
/// </summary>
internal static class FirewallAddresses
{
    // Options whose value is ADDR[/LEN][,ADDR...] (iptables(8) -s/-d).
    private static readonly HashSet<string> NetworkOptions = new(StringComparer.Ordinal)
    {
        "-s", "--source", "--src", "-d", "--destination", "--dst",
    };

    // NAT targets: ADDR[-ADDR][:PORT[-PORT]], IPv6 addresses in brackets when a port follows
    // (iptables-extensions(8) DNAT/SNAT).
    private static readonly HashSet<string> NatOptions = new(StringComparer.Ordinal)
    {
        "--to-destination", "--to-source",
    };

    public static void Validate(string owner, IpFamily family, FirewallRule rule)
    {
        var expected = family == IpFamily.IPv6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
        for (var i = 0; i < rule.Arguments.Count - 1; i++)
        {
            var option = rule.Arguments[i];
            var value = rule.Arguments[i + 1];
            IEnumerable<string> addresses;
            if (NetworkOptions.Contains(option))
            {
                addresses = value.Split(',').Select(a => a.Split('/')[0]);
            }
            else if (NatOptions.Contains(option))
            {
                addresses = NatAddresses(value);
            }
            else
            {
                continue;
            }
            foreach (var text in addresses)
            {
                // "0/0" means any address in both families (iptables reads 0.0.0.0 as /32 otherwise).
                if (text == "0")
                {
                    continue;
                }
                // What does not parse is left to iptables, which refuses it with the batch unchanged.
                if (IPAddress.TryParse(text, out var address) && address.AddressFamily != expected)
                {
                    var other = family == IpFamily.IPv6 ? "IPv4" : "IPv6";
                    throw new ArgumentException(
                        $"rule in {rule.Table}/{rule.Chain} of {owner} ({family}): {option} {value} is an {other} address; an {family} rule set takes {family} addresses only", nameof(rule));
                }
            }
        }
    }

    private static IEnumerable<string> NatAddresses(string value)
    {
        if (value.StartsWith('['))
        {
            // [A] or [A]-[B], optionally :PORT after the last bracket.
            var end = value.LastIndexOf(']');
            var body = end < 0 ? value : value[..(end + 1)];
            return body.Split('-').Select(a => a.Trim('[', ']'));
        }
        // Two or more colons: a bare IPv6 address or range (no port without brackets). Else IPv4,
        // A[-B][:PORT[-PORT]].
        if (value.Count(c => c == ':') > 1)
        {
            return value.Split('-');
        }
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        return (colon < 0 ? value : value[..colon]).Split('-');
    }
}
