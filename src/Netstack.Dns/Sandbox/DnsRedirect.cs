using System.Globalization;
using System.Net;
using System.Text;

namespace Netstack.Dns.Sandbox;

/// <summary>
/// The NAT rules, inside a sandbox's own network namespace, that send queries for
/// <c>127.0.0.11:53</c> to the resolver's real ports. Given as data for the firewall layer to apply
/// (Netstack.Dns does not reference it): <see cref="Rules"/> map one to one onto
/// <c>FirewallRule(table, chain, arguments)</c>, the first being the jump from the built-in OUTPUT
/// chain (<c>FirewallRule.Jump</c>); <see cref="ToIptablesRestore"/> renders the same rules as an
/// <c>iptables-restore --noflush</c> batch.
/// </summary>
/// <remarks>
/// Only the first packet of a flow goes through the nat table; conntrack rewrites the replies'
/// source port back to 53 by itself, so no SNAT rule is needed for answers.
/// </remarks>
public sealed record DnsRedirect(IPAddress Address, int UdpPort, int TcpPort)
{
    /// <summary>Netstack's own chain in the sandbox's nat table.</summary>
    public const string Chain = "NETSTACK-DNS";

    public const string Table = "nat";

    /// <summary>The rules in order: the jump from OUTPUT, then the UDP and TCP DNATs in <see cref="Chain"/>.</summary>
    public IReadOnlyList<DnsRedirectRule> Rules
    {
        get
        {
            var destination = Address + "/32";
            var port = SandboxDnsServer.Port.ToString(CultureInfo.InvariantCulture);
            return
            [
                new DnsRedirectRule(Table, "OUTPUT", ["-d", destination, "-j", Chain], IsJump: true),
                new DnsRedirectRule(Table, Chain, ["-d", destination, "-p", "udp", "-m", "udp", "--dport", port, "-j", "DNAT", "--to-destination", $"{Address}:{UdpPort.ToString(CultureInfo.InvariantCulture)}"]),
                new DnsRedirectRule(Table, Chain, ["-d", destination, "-p", "tcp", "-m", "tcp", "--dport", port, "-j", "DNAT", "--to-destination", $"{Address}:{TcpPort.ToString(CultureInfo.InvariantCulture)}"]),
            ];
        }
    }

    public string ToIptablesRestore()
    {
        var builder = new StringBuilder();
        builder.Append(CultureInfo.InvariantCulture, $"*{Table}\n");
        builder.Append(CultureInfo.InvariantCulture, $":{Chain} - [0:0]\n");
        foreach (var rule in Rules)
        {
            builder.Append(CultureInfo.InvariantCulture, $"-A {rule.Chain} {string.Join(' ', rule.Arguments)}\n");
        }

        builder.Append("COMMIT\n");
        return builder.ToString();
    }
}

/// <summary>One rule of a <see cref="DnsRedirect"/>: <c>iptables -t TABLE -A CHAIN ARGUMENTS</c>.</summary>
public sealed record DnsRedirectRule(string Table, string Chain, IReadOnlyList<string> Arguments, bool IsJump = false);
