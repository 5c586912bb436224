using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Netstack.Firewall.Iptables;
using Netstack.Firewall.Nftables;
using Netstack.Linux;

namespace Netstack.Firewall;

/// <summary>Which kernel interface netstack's firewall writes through; the rules and their behaviour are the same.</summary>
public enum FirewallBackend
{
    /// <summary>iptables-restore / ip6tables-restore, netstack's NETSTACK-* chains in the kernel's tables.</summary>
    Iptables,

    /// <summary>nf_tables over netlink, spoken by netstack itself: tables <c>ip netstack</c> and <c>ip6 netstack</c>.</summary>
    Nftables,
}

/// <summary>Names and makes the firewall of a <see cref="FirewallBackend"/>.</summary>
public static class FirewallBackends
{
    /// <summary>The backend's name as the daemon's <c>--firewall-backend</c> takes it.</summary>
    public static string Name(FirewallBackend backend) => backend == FirewallBackend.Nftables ? "nftables" : "iptables";

    /// <summary>Reads <c>iptables</c> or <c>nftables</c> (any case); false for anything else.</summary>
    public static bool TryParse(string? text, out FirewallBackend backend)
    {
        switch (text?.ToLowerInvariant())
        {
            case "iptables":
                backend = FirewallBackend.Iptables;
                return true;
            case "nftables":
                backend = FirewallBackend.Nftables;
                return true;
            default:
                backend = FirewallBackend.Iptables;
                return false;
        }
    }

    /// <summary>The firewall of <paramref name="backend"/> in <paramref name="ns"/> (null: the caller's namespace).</summary>
    public static IFirewall Create(FirewallBackend backend, NetworkNamespace? ns, ILoggerFactory? loggers = null)
    {
        loggers ??= NullLoggerFactory.Instance;
        return backend == FirewallBackend.Nftables
            ? new NftablesFirewall(ns, loggers.CreateLogger<NftablesFirewall>())
            : new IptablesFirewall(ns, loggers.CreateLogger<IptablesFirewall>());
    }
}
