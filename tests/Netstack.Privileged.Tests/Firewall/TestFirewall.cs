using Netstack.Firewall;

namespace Netstack.Privileged.Tests.Firewall;

/// <summary>
/// The firewall backend the privileged tests run the daemon and the bridge driver on:
/// <c>NETSTACK_TEST_FIREWALL_BACKEND=nftables</c> runs the same tests on the nftables backend
/// (<c>--firewall-backend nftables</c>); unset, or <c>iptables</c>, on the default one. Tests that
/// look at the rules themselves ask <see cref="Backend"/> how to read them.
/// </summary>
internal static class TestFirewall
{
    public const string Variable = "NETSTACK_TEST_FIREWALL_BACKEND";

    public static FirewallBackend Backend { get; } = Read();

    public static bool IsNftables => Backend == FirewallBackend.Nftables;

    /// <summary>The daemon flags that choose <see cref="Backend"/> (none for the default).</summary>
    public static string[] DaemonFlags => IsNftables ? ["--firewall-backend", "nftables"] : [];

    /// <summary>A firewall of <see cref="Backend"/> in <paramref name="ns"/>.</summary>
    public static IFirewall Create(Netstack.Linux.NetworkNamespace ns) => FirewallBackends.Create(Backend, ns);

    /// <summary>
    /// netstack's rules as the backend's own tool prints them in <paramref name="host"/>, one line
    /// each: <c>iptables-save</c> lines naming NETSTACK, or the lines of <c>nft list table ip netstack</c>.
    /// </summary>
    public static IReadOnlyList<string> NetstackLines(TestKit.TestNamespace host, bool ipv6 = false)
    {
        if (IsNftables)
        {
            var output = NftListing(host, ipv6 ? "ip6" : "ip");
            // Each line with its chain, as iptables-save's "-A CHAIN ..." carries it.
            var lines = new List<string>();
            var chain = "";
            foreach (var line in output.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && l != "}" && !l.StartsWith("table ", StringComparison.Ordinal)))
            {
                if (line.StartsWith("chain ", StringComparison.Ordinal))
                {
                    chain = line["chain ".Length..].TrimEnd('{', ' ');
                    lines.Add(line);
                }
                else
                {
                    lines.Add($"{chain}: {line}");
                }
            }
            return lines;
        }
        return [.. host.Exec(ipv6 ? "ip6tables-save" : "iptables-save").Split('\n').Where(l => l.Contains("NETSTACK", StringComparison.Ordinal) && !l.StartsWith('#'))];
    }

    /// <summary>
    /// Every rule in <paramref name="host"/> as text, for tests that look for (or for the absence
    /// of) a name in it: <c>iptables-save</c> (and <c>ip6tables-save</c> with <paramref name="ipv6"/>),
    /// or <c>nft list ruleset</c> on the nftables backend, so that an absence holds on either.
    /// </summary>
    public static string RulesText(TestKit.TestNamespace host, bool ipv6 = false) =>
        IsNftables ? host.Exec("nft", "list", "ruleset")
            : ipv6 ? host.Exec("iptables-save") + host.Exec("ip6tables-save") : host.Exec("iptables-save");

    /// <summary><see cref="RulesText(TestKit.TestNamespace, bool)"/> of the network namespace at <paramref name="path"/> (a sandbox).</summary>
    public static string RulesTextAt(string path) =>
        IsNftables ? TestKit.TestNamespace.Run("nsenter", "--net=" + path, "nft", "list", "ruleset")
            : TestKit.TestNamespace.Run("nsenter", "--net=" + path, "iptables-save");

    /// <summary>The nftables backend's table of <paramref name="family"/> (ip or ip6) as <c>nft list table</c> prints it; empty when there is none.</summary>
    public static string NftListing(TestKit.TestNamespace host, string family)
    {
        var (code, output, _) = host.TryExec("nft", "list", "table", family, "netstack");
        return code == 0 ? output : "";
    }

    /// <summary>Somebody else empties one of netstack's chains: <c>iptables -t TABLE -F CHAIN</c>, or nft's <c>flush chain</c> of its counterpart.</summary>
    public static void FlushChain(TestKit.TestNamespace host, string table, string chain, bool ipv6 = false)
    {
        if (IsNftables)
        {
            host.Exec("nft", "flush", "chain", ipv6 ? "ip6" : "ip", "netstack", $"{table}-{chain}");
        }
        else
        {
            host.Exec(ipv6 ? "ip6tables" : "iptables", "-t", table, "-F", chain);
        }
    }

    /// <summary>Another driver's rule in a netstack filter chain: accept from <paramref name="device"/>, under <paramref name="owner"/>'s name.</summary>
    public static void AppendAccept(TestKit.TestNamespace host, string chain, string device, string owner, bool ipv6 = false)
    {
        if (IsNftables)
        {
            host.Exec("nft", "add", "rule", ipv6 ? "ip6" : "ip", "netstack", $"filter-{chain}", "iifname", device, "accept", "comment", $"\"{FirewallNames.RuleCommentPrefix}{owner}\"");
        }
        else
        {
            host.Exec(ipv6 ? "ip6tables" : "iptables", "-A", chain, "-i", device, "-m", "comment", "--comment", FirewallNames.RuleCommentPrefix + owner, "-j", "ACCEPT");
        }
    }

    private static FirewallBackend Read()
    {
        var text = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrEmpty(text))
        {
            return FirewallBackend.Iptables;
        }
        return FirewallBackends.TryParse(text, out var backend)
            ? backend
            : throw new InvalidOperationException($"{Variable}=\"{text}\": expected iptables or nftables");
    }
}
