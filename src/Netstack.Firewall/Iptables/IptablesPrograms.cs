namespace Netstack.Firewall.Iptables;

/// <summary>
/// The programs of each family: iptables-save/iptables-restore for IPv4, ip6tables-save/ip6tables-restore
/// for IPv6. Both read and write the same text format, so one script builder serves both.
/// </summary>
internal static class IptablesPrograms
{
    public static string Save(IpFamily family) => family switch
    {
        IpFamily.IPv4 => "iptables-save",
        IpFamily.IPv6 => "ip6tables-save",
        _ => throw new ArgumentOutOfRangeException(nameof(family), family, "unknown address family"),
    };

    public static string Restore(IpFamily family) => family switch
    {
        IpFamily.IPv4 => "iptables-restore",
        IpFamily.IPv6 => "ip6tables-restore",
        _ => throw new ArgumentOutOfRangeException(nameof(family), family, "unknown address family"),
    };
}
