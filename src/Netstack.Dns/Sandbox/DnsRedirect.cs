using System.Globalization;
using System.Net;
using System.Text;

namespace Netstack.Dns.Sandbox;

/// <summary>
/// The NAT rules, inside a sandbox's own network namespace, that send queries for
/// <c>127.0.0.11:53</c> to the resolver's real ports. Given as data for the firewall layer to apply
/// (Netstack.Dns does not reference it); <see cref="ToIptablesRestore"/> renders an
/// <c>iptables-restore --noflush</c> batch for the nat table.
/// </summary>
/// <remarks>
/// Only the first packet of a flow goes through the nat table; conntrack rewrites the replies'
/// source port back to 53 by itself, so no SNAT rule is needed for answers.
/// </remarks>
public sealed record DnsRedirect(IPAddress Address, int UdpPort, int TcpPort)
{
    /// <summary>Netstack's own chain in the sandbox's nat table.</summary>
    public const string Chain = "NETSTACK-DNS";

    public string ToIptablesRestore()
    {
        var address = Address + "/32";
        var builder = new StringBuilder();
        builder.Append("*nat\n");
        builder.Append(CultureInfo.InvariantCulture, $":{Chain} - [0:0]\n");
        builder.Append(CultureInfo.InvariantCulture, $"-A OUTPUT -d {address} -j {Chain}\n");
        builder.Append(CultureInfo.InvariantCulture, $"-A {Chain} -d {address} -p udp -m udp --dport {SandboxDnsServer.Port} -j DNAT --to-destination {Address}:{UdpPort}\n");
        builder.Append(CultureInfo.InvariantCulture, $"-A {Chain} -d {address} -p tcp -m tcp --dport {SandboxDnsServer.Port} -j DNAT --to-destination {Address}:{TcpPort}\n");
        builder.Append("COMMIT\n");
        return builder.ToString();
    }
}
