using Netstack.Firewall.Iptables;
using Xunit;

namespace Netstack.Firewall.Tests;

/// <summary>
/// Putting netstack's rules back after somebody else changed the tables (moby#15254): what the
/// check finds (missing chains, rules and jumps; changed, doubled and foreign rules), that the
/// repair writes the whole ruleset again once with nothing doubled and the chains' order kept, and
/// that it writes nothing when nothing differs. The runner is a fake that keeps the tables as a
/// snapshot, prints them per table as iptables-save does and applies restore scripts to them.
/// </summary>
public sealed class IptablesRepairTests
{
    private const string Empty = """
        *filter
        :INPUT ACCEPT [0:0]
        :FORWARD ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        -A FORWARD -s 192.0.2.0/24 -j ACCEPT
        COMMIT
        *nat
        :PREROUTING ACCEPT [0:0]
        :INPUT ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        :POSTROUTING ACCEPT [0:0]
        COMMIT
        """;

    private sealed class FakeRunner : IIptablesRunner
    {
        public IptablesSnapshot Tables { get; set; } = IptablesSnapshot.Parse(Empty);

        public List<string> Programs { get; } = [];

        /// <summary>Accepts restores without applying them (a firewall that keeps undoing ours).</summary>
        public bool IgnoreRestores { get; set; }

        public Task<string> RunAsync(string program, IReadOnlyList<string> arguments, string? input, CancellationToken cancellationToken)
        {
            Programs.Add(arguments is ["-t", var t] ? $"{program} -t {t}" : program);
            if (program.EndsWith("-save", StringComparison.Ordinal))
            {
                return Task.FromResult(arguments is ["-t", var table] ? Block(Tables.ToSave(), table) : Tables.ToSave());
            }
            if (!IgnoreRestores)
            {
                Tables.Apply(input!);
            }
            return Task.FromResult("");
        }

        /// <summary>Changes the tables as an admin's command would, through their save text.</summary>
        public void Tamper(Func<IEnumerable<string>, IEnumerable<string>> edit) =>
            Tables = IptablesSnapshot.Parse(string.Join('\n', edit(Tables.ToSave().Split('\n'))));

        private static string Block(string save, string table)
        {
            var lines = save.Split('\n');
            var start = Array.IndexOf(lines, "*" + table);
            if (start < 0)
            {
                return "";
            }
            var end = Array.IndexOf(lines, "COMMIT", start);
            return string.Join('\n', lines[start..(end + 1)]) + "\n";
        }
    }

    /// <summary><c>iptables -F; iptables -X; iptables -t nat -F; iptables -t nat -X</c>: every rule and user chain gone.</summary>
    private static IEnumerable<string> FlushAndDeleteChains(IEnumerable<string> save) =>
        save.Where(l => !l.StartsWith("-A ", StringComparison.Ordinal) && !l.StartsWith(":NETSTACK-", StringComparison.Ordinal));

    // Shaped like the bridge driver's: a base owner with the shared chains and the jumps to them,
    // a network with rules in those chains, an endpoint with a DNAT.
    private static FirewallRuleSet Base(IpFamily family = IpFamily.IPv4) => new("bridge", family,
        [new FirewallChain("filter", "NETSTACK-FORWARD"), new FirewallChain("filter", "NETSTACK-ISOLATION-1"), new FirewallChain("nat", "NETSTACK-DNAT")],
        [
            FirewallRule.Jump("filter", "FORWARD", "NETSTACK-FORWARD"),
            new FirewallRule("filter", "NETSTACK-FORWARD", "-j", "NETSTACK-ISOLATION-1"),
            FirewallRule.Jump("nat", "PREROUTING", "NETSTACK-DNAT", "-m", "addrtype", "--dst-type", "LOCAL"),
        ]);

    private static FirewallRuleSet Network(string owner, string bridge) => new(owner, IpFamily.IPv4, [],
        [
            new FirewallRule("filter", "NETSTACK-ISOLATION-1", "-i", bridge, "!", "-o", bridge, "-j", "DROP"),
            new FirewallRule("filter", "NETSTACK-FORWARD", "-o", bridge, "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT"),
            new FirewallRule("filter", "NETSTACK-FORWARD", "-i", bridge, "-o", bridge, "-j", "ACCEPT"),
        ]);

    private static FirewallRuleSet Ports(string owner, int port) => new(owner, IpFamily.IPv4, [],
        [new FirewallRule("nat", "NETSTACK-DNAT", "-p", "tcp", "-m", "tcp", "--dport", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-j", "DNAT", "--to-destination", "10.1.0.2:80")]);

    private static async Task<(FakeRunner Runner, IptablesFirewall Firewall, string Applied)> AppliedAsync()
    {
        var runner = new FakeRunner();
        var firewall = new IptablesFirewall(runner);
        await firewall.ApplyAsync(Base());
        await firewall.ApplyAsync(Network("net-a", "br-a"));
        await firewall.ApplyAsync(Network("net-b", "br-b"));
        await firewall.ApplyAsync(Ports("ep-a", 8080));
        runner.Programs.Clear();
        return (runner, firewall, runner.Tables.ToSave());
    }

    [Fact]
    public async Task Repair_NothingChanged_ReadsEachTableInUseOnce_AndWritesNothing()
    {
        var (runner, firewall, applied) = await AppliedAsync();

        var drift = await firewall.RepairAsync(IpFamily.IPv4);

        Assert.False(drift.Found, drift.Summary());
        Assert.False(drift.Repaired);
        Assert.Equal(["iptables-save -t filter", "iptables-save -t nat"], runner.Programs);
        Assert.Equal(applied, runner.Tables.ToSave());
    }

    [Fact]
    public async Task Repair_NothingApplied_RunsNoProgram()
    {
        var runner = new FakeRunner();
        var firewall = new IptablesFirewall(runner);
        await firewall.ApplyAsync(Base());
        await firewall.ApplyAsync(Ports("ep-a", 8080));
        await firewall.RemoveOwnersAsync(["ep-a", "bridge"], IpFamily.IPv4);
        runner.Programs.Clear();

        Assert.False((await firewall.RepairAsync(IpFamily.IPv4)).Found);
        Assert.False((await firewall.RepairAsync(IpFamily.IPv6)).Found);
        Assert.Empty(runner.Programs);
    }

    [Fact]
    public async Task Repair_AfterFlushAndDeleteOfEveryChain_PutsTheSameRulesBackInTheSameOrder()
    {
        var (runner, firewall, applied) = await AppliedAsync();
        runner.Tamper(FlushAndDeleteChains);

        var drift = await firewall.RepairAsync(IpFamily.IPv4);

        Assert.True(drift.Repaired);
        Assert.Contains("chain filter/NETSTACK-FORWARD of bridge", drift.Missing);
        Assert.Contains("chain nat/NETSTACK-DNAT of bridge", drift.Missing);
        Assert.Contains(drift.Missing, m => m.StartsWith("filter: -A FORWARD", StringComparison.Ordinal) && m.Contains("-j NETSTACK-FORWARD", StringComparison.Ordinal));
        // One save per table, one restore, one save per table to see that it held.
        Assert.Equal(["iptables-save -t filter", "iptables-save -t nat", "iptables-restore", "iptables-save -t filter", "iptables-save -t nat"], runner.Programs);
        // The flushed foreign rule is not ours to put back; everything of ours is back, in order:
        // each chain's owner first (the isolation jump before the networks' accepts).
        Assert.Equal(Ours(applied), Ours(runner.Tables.ToSave()));
        Assert.False((await firewall.RepairAsync(IpFamily.IPv4)).Found);
    }

    [Fact]
    public async Task Repair_JumpDeleted_PutsItBack_WithoutDoublingTheRulesStillThere()
    {
        var (runner, firewall, applied) = await AppliedAsync();
        runner.Tamper(save => save.Where(l => !(l.StartsWith("-A FORWARD", StringComparison.Ordinal) && l.Contains("NETSTACK-FORWARD", StringComparison.Ordinal))));

        var drift = await firewall.RepairAsync(IpFamily.IPv4);

        Assert.True(drift.Repaired);
        var missing = Assert.Single(drift.Missing);
        Assert.Contains("-A FORWARD", missing, StringComparison.Ordinal);
        Assert.Empty(drift.Unexpected);
        Assert.Equal(ByChain(applied), ByChain(runner.Tables.ToSave()));
        AssertNoDuplicates(runner.Tables);
    }

    [Fact]
    public async Task Repair_JumpAddedTwice_AndARuleChanged_AndAForeignRuleInOurChain_AreUndone()
    {
        var (runner, firewall, applied) = await AppliedAsync();
        var jump = "-A FORWARD " + runner.Tables.Rules.Single(r => r.Chain == "FORWARD" && r.JumpTarget == "NETSTACK-FORWARD").Spec;
        runner.Tamper(save =>
        {
            var lines = save.ToList();
            // Our jump added again by hand; a rule of ours changed; a rule of somebody else's in our chain.
            lines.Insert(lines.IndexOf(jump), jump);
            var drop = lines.FindIndex(l => l.Contains("-i br-a ! -o br-a -j DROP", StringComparison.Ordinal));
            lines[drop] = lines[drop].Replace("-j DROP", "-j ACCEPT", StringComparison.Ordinal);
            lines.Insert(lines.IndexOf("COMMIT"), "-A NETSTACK-ISOLATION-1 -j RETURN");
            return lines;
        });

        var drift = await firewall.RepairAsync(IpFamily.IPv4);

        Assert.True(drift.Repaired);
        Assert.Contains(drift.Unexpected, u => u.Contains("-A FORWARD", StringComparison.Ordinal) && u.Contains("NETSTACK-FORWARD", StringComparison.Ordinal));
        Assert.Contains(drift.Unexpected, u => u.Contains("-j ACCEPT", StringComparison.Ordinal) && u.Contains("br-a ! -o br-a", StringComparison.Ordinal));
        Assert.Contains(drift.Unexpected, u => u.EndsWith("-A NETSTACK-ISOLATION-1 -j RETURN", StringComparison.Ordinal));
        Assert.Contains(drift.Missing, m => m.Contains("-j DROP", StringComparison.Ordinal) && m.Contains("br-a", StringComparison.Ordinal));
        Assert.Equal(Ours(applied), Ours(runner.Tables.ToSave()));
        Assert.DoesNotContain(runner.Tables.Rules, r => r.Spec == "-j RETURN");
        AssertNoDuplicates(runner.Tables);
    }

    [Fact]
    public async Task Repair_LiveRulesAsIptablesSavePrintsThem_FindsNothing()
    {
        var runner = new FakeRunner();
        var firewall = new IptablesFirewall(runner);
        await firewall.ApplyAsync(Base());
        await firewall.ApplyAsync(Network("net-a", "br-a"));
        await firewall.ApplyAsync(Ports("ep-a", 8080));
        // As iptables-save v1.8.9 printed these rules: header options first, the comment after them.
        runner.Tables = IptablesSnapshot.Parse("""
            *filter
            :INPUT ACCEPT [0:0]
            :FORWARD ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            :NETSTACK-FORWARD - [0:0]
            :NETSTACK-ISOLATION-1 - [0:0]
            -A FORWARD -s 192.0.2.0/24 -j ACCEPT
            -A FORWARD -m comment --comment "netstack:bridge" -j NETSTACK-FORWARD
            -A NETSTACK-FORWARD -m comment --comment "netstack-chain:bridge"
            -A NETSTACK-FORWARD -m comment --comment "netstack:bridge" -j NETSTACK-ISOLATION-1
            -A NETSTACK-FORWARD -o br-a -m comment --comment "netstack:net-a" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
            -A NETSTACK-FORWARD -i br-a -o br-a -m comment --comment "netstack:net-a" -j ACCEPT
            -A NETSTACK-ISOLATION-1 -m comment --comment "netstack-chain:bridge"
            -A NETSTACK-ISOLATION-1 -i br-a ! -o br-a -m comment --comment "netstack:net-a" -j DROP
            COMMIT
            *nat
            :PREROUTING ACCEPT [0:0]
            :INPUT ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            :POSTROUTING ACCEPT [0:0]
            :NETSTACK-DNAT - [0:0]
            -A PREROUTING -m comment --comment "netstack:bridge" -m addrtype --dst-type LOCAL -j NETSTACK-DNAT
            -A NETSTACK-DNAT -m comment --comment "netstack-chain:bridge"
            -A NETSTACK-DNAT -p tcp -m comment --comment "netstack:ep-a" -m tcp --dport 8080 -j DNAT --to-destination 10.1.0.2:80
            COMMIT
            """);
        runner.Programs.Clear();

        var drift = await firewall.RepairAsync(IpFamily.IPv4);

        Assert.False(drift.Found, drift.Summary());
        Assert.DoesNotContain("iptables-restore", runner.Programs);
    }

    [Fact]
    public async Task Repair_PutsBackOnlyWhatIsStillApplied()
    {
        var (runner, firewall, _) = await AppliedAsync();
        await firewall.RemoveOwnerAsync("net-b", IpFamily.IPv4);
        await firewall.ApplyAsync(Ports("ep-a", 9090));
        runner.Tamper(FlushAndDeleteChains);

        Assert.True((await firewall.RepairAsync(IpFamily.IPv4)).Repaired);

        var save = runner.Tables.ToSave();
        Assert.DoesNotContain("br-b", save, StringComparison.Ordinal);
        Assert.DoesNotContain("--dport 8080", save, StringComparison.Ordinal);
        Assert.Contains("--dport 9090", save, StringComparison.Ordinal);
        Assert.Contains("br-a", save, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Repair_ThenAChange_ReadsTheTablesAgainFirst()
    {
        var (runner, firewall, _) = await AppliedAsync();
        runner.Tamper(FlushAndDeleteChains);
        await firewall.RepairAsync(IpFamily.IPv4);
        runner.Programs.Clear();

        await firewall.RemoveOwnerAsync("net-a", IpFamily.IPv4);

        // The view from before the repair would delete rules by their old text: it was dropped.
        Assert.Equal(["iptables-save", "iptables-restore"], runner.Programs);
        Assert.DoesNotContain("br-a", runner.Tables.ToSave(), StringComparison.Ordinal);
        Assert.False((await firewall.RepairAsync(IpFamily.IPv4)).Found);
    }

    [Fact]
    public async Task Repair_ThatDoesNotHold_IsNotTriedAgainUntilTheRulesChange()
    {
        var (runner, firewall, _) = await AppliedAsync();
        runner.Tamper(FlushAndDeleteChains);
        runner.IgnoreRestores = true;

        var first = await firewall.RepairAsync(IpFamily.IPv4);
        runner.Programs.Clear();
        var second = await firewall.RepairAsync(IpFamily.IPv4);

        Assert.True(first.Found);
        Assert.False(first.Repaired);
        Assert.True(second.Found);
        Assert.Equal(["iptables-save -t filter", "iptables-save -t nat"], runner.Programs);

        // A change of what was applied (here a removal, which needs no chain) lets it try again.
        runner.IgnoreRestores = false;
        await firewall.RemoveOwnerAsync("ep-a", IpFamily.IPv4);
        Assert.True((await firewall.RepairAsync(IpFamily.IPv4)).Repaired);
        Assert.DoesNotContain("--dport 8080", runner.Tables.ToSave(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Repair_IPv6_UsesIp6tablesAndLeavesIPv4Alone()
    {
        var runner = new FakeRunner();
        var firewall = new IptablesFirewall(runner);
        await firewall.ApplyAsync(Base(IpFamily.IPv6));
        runner.Tamper(FlushAndDeleteChains);
        runner.Programs.Clear();

        Assert.False((await firewall.RepairAsync(IpFamily.IPv4)).Found);
        var drift = await firewall.RepairAsync(IpFamily.IPv6);

        Assert.True(drift.Repaired);
        Assert.Equal(IpFamily.IPv6, drift.Family);
        Assert.Equal(["ip6tables-save -t filter", "ip6tables-save -t nat", "ip6tables-restore", "ip6tables-save -t filter", "ip6tables-save -t nat"], runner.Programs);
    }

    [Fact]
    public async Task Ensure_RuleSetAlreadyWhole_WritesNothing_AndKeepsWhatOthersAddedToItsChains()
    {
        var (runner, _, applied) = await AppliedAsync();
        // A new daemon on the same tables.
        var firewall = new IptablesFirewall(runner);

        Assert.False(await firewall.EnsureAsync(Base()));

        Assert.Equal(["iptables-save"], runner.Programs);
        Assert.Equal(applied, runner.Tables.ToSave());
        // Ensured counts as applied: a flush is repaired (the networks' rules come when reconcile applies them).
        runner.Tamper(FlushAndDeleteChains);
        Assert.True((await firewall.RepairAsync(IpFamily.IPv4)).Repaired);
        Assert.True(runner.Tables.HasChain("filter", "NETSTACK-FORWARD"));
    }

    [Fact]
    public async Task Ensure_RuleSetPartlyGone_WritesIt()
    {
        var (runner, _, _) = await AppliedAsync();
        runner.Tamper(save => save.Where(l => !l.StartsWith("-A PREROUTING", StringComparison.Ordinal)));
        var firewall = new IptablesFirewall(runner);

        Assert.True(await firewall.EnsureAsync(Base()));

        Assert.Single(runner.Tables.Rules, r => r.Chain == "PREROUTING" && r.JumpTarget == "NETSTACK-DNAT");
        AssertNoDuplicates(runner.Tables);
    }

    [Fact]
    public void RuleKey_IgnoresTheOrderIptablesSavePrints_ButNotNegationOrValues()
    {
        var written = "-m comment --comment \"netstack:ep\" -d 10.1.0.2/32 ! -i br-x -o br-x -p tcp -m tcp --dport 80 -j ACCEPT";
        var saved = "-d 10.1.0.2/32 ! -i br-x -o br-x -p tcp -m comment --comment \"netstack:ep\" -m tcp --dport 80 -j ACCEPT";

        Assert.Equal(RuleKey.Of(written), RuleKey.Of(saved));
        Assert.NotEqual(RuleKey.Of(written), RuleKey.Of(saved.Replace("! -i br-x -o br-x", "-i br-x ! -o br-x", StringComparison.Ordinal)));
        Assert.NotEqual(RuleKey.Of(written), RuleKey.Of(saved.Replace("--dport 80", "--dport 81", StringComparison.Ordinal)));
        Assert.NotEqual(RuleKey.Of(written), RuleKey.Of(saved.Replace("netstack:ep", "netstack:other", StringComparison.Ordinal)));
    }

    /// <summary>Netstack's lines of a save text (chains and rules with a netstack name), chain by chain, each chain in order.</summary>
    private static List<string> Ours(string save) =>
        ByChain(save).Where(l => l.StartsWith(":NETSTACK-", StringComparison.Ordinal) || l.Contains("netstack", StringComparison.Ordinal)).ToList();

    /// <summary>A save text's chain declarations, then its rules grouped by chain (as iptables-save prints them), each chain's in order.</summary>
    private static List<string> ByChain(string save)
    {
        var lines = save.Split('\n');
        return lines.Where(l => !l.StartsWith("-A ", StringComparison.Ordinal))
            .Concat(lines.Where(l => l.StartsWith("-A ", StringComparison.Ordinal)).GroupBy(l => l.Split(' ')[1]).OrderBy(g => g.Key, StringComparer.Ordinal).SelectMany(g => g))
            .ToList();
    }

    private static void AssertNoDuplicates(IptablesSnapshot tables)
    {
        var doubled = tables.Rules.GroupBy(r => (r.Table, r.Chain, RuleKey.Of(r.Spec))).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.Empty(doubled);
    }
}
