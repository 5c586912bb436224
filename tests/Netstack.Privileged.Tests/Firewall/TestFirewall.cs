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
            var (code, output, _) = host.TryExec("nft", "list", "table", ipv6 ? "ip6" : "ip", "netstack");
            if (code != 0)
            {
                return [];
            }
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
