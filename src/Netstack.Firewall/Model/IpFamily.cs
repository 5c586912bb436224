namespace Netstack.Firewall;

/// <summary>Which of iptables (IPv4) and ip6tables (IPv6) a rule set is for.</summary>
public enum IpFamily
{
    IPv4,
    IPv6,
}
