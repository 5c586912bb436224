using Netstack.Firewall;
using Netstack.Firewall.Iptables;
using Xunit;

namespace Netstack.Firewall.Tests;

/// <summary>
/// The firewall's in-memory view: one iptables-restore per change once the tables were read, none
/// for an owner with nothing, a fresh read and one retry when a script from a held view is refused.
/// The runner is a fake that keeps the tables as iptables-save text and counts the programs run.
/// </summary>
public sealed class IptablesViewTests
{
    private const string Empty = """
        *filter
        :INPUT ACCEPT [0:0]
        :FORWARD ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        COMMIT
        *nat
        :PREROUTING ACCEPT [0:0]
        :INPUT ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        :POSTROUTING ACCEPT [0:0]
        :NETSTACK-DNAT - [0:0]
        COMMIT
        """;

    /// <summary>Serves a fixed save text, applies restores to a snapshot it keeps, and can refuse the next restores.</summary>
    private sealed class FakeRunner : IIptablesRunner
    {
        public IptablesSnapshot Tables { get; set; } = IptablesSnapshot.Parse(Empty);

        public List<string> Programs { get; } = [];

        public int RefuseNext { get; set; }

        public bool CancelNext { get; set; }

        public Task<string> RunAsync(string program, IReadOnlyList<string> arguments, string? input, CancellationToken cancellationToken)
        {
            Programs.Add(program);
            if (program.EndsWith("-save", StringComparison.Ordinal))
            {
                return Task.FromResult(Tables.ToSave());
            }
            if (CancelNext)
            {
                // As if the restore ran, then the wait for it was cancelled.
                CancelNext = false;
                Tables.Apply(input!);
                throw new OperationCanceledException();
            }
            if (RefuseNext > 0)
            {
                RefuseNext--;
                throw new FirewallException($"{program} exited 1: iptables-restore: line 3 failed");
            }
            Tables.Apply(input!);
            return Task.FromResult("");
        }
    }

    private static FirewallRuleSet Ports(string owner, int port) => new(owner, IpFamily.IPv4, [],
        [new FirewallRule("nat", "NETSTACK-DNAT", "-p", "tcp", "--dport", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-j", "DNAT", "--to-destination", "10.1.0.2:80")]);

    [Fact]
    public async Task Apply_AfterTheFirstRead_RunsOneRestoreAndNoSave()
    {
        var runner = new FakeRunner();
        var firewall = new IptablesFirewall(runner);

        await firewall.ApplyAsync(Ports("ep-a", 8080));
        await firewall.ApplyAsync(Ports("ep-b", 8081));
        await firewall.ApplyAsync(Ports("ep-a", 9090));

        Assert.Equal(["iptables-save", "iptables-restore", "iptables-restore", "iptables-restore"], runner.Programs);
        // The third change deleted ep-a's old rule, written from the view (its first rule text).
        var rules = runner.Tables.Rules.Select(r => r.Spec).ToList();
        Assert.Equal(2, rules.Count);
        Assert.Contains(rules, r => r.Contains("--dport 9090", StringComparison.Ordinal));
        Assert.Contains(rules, r => r.Contains("--dport 8081", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RemoveOwners_WithNothingInTheView_RunsNoProgram()
    {
        var runner = new FakeRunner();
        var firewall = new IptablesFirewall(runner);
        await firewall.ApplyAsync(Ports("ep-a", 8080));
        runner.Programs.Clear();

        await firewall.RemoveOwnersAsync(["ep-none", "ep-other"], IpFamily.IPv4);

        Assert.Empty(runner.Programs);
    }

    [Fact]
    public async Task Apply_ScriptFromAHeldViewRefused_ReadsAgainAndRetriesOnce()
    {
        var runner = new FakeRunner();
        var firewall = new IptablesFirewall(runner);
        await firewall.ApplyAsync(Ports("ep-a", 8080));
        // Somebody else flushed the tables: the view still holds ep-a's rule, the kernel does not.
        runner.Tables = IptablesSnapshot.Parse(Empty);
        runner.RefuseNext = 1;
        runner.Programs.Clear();

        await firewall.ApplyAsync(Ports("ep-a", 9090));

        Assert.Equal(["iptables-restore", "iptables-save", "iptables-restore"], runner.Programs);
        var rule = Assert.Single(runner.Tables.Rules);
        Assert.Contains("--dport 9090", rule.Spec, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_ScriptFromAFreshReadRefused_FailsWithoutRetry_AndTheNextChangeReadsAgain()
    {
        var runner = new FakeRunner { RefuseNext = 1 };
        var firewall = new IptablesFirewall(runner);

        await Assert.ThrowsAsync<FirewallException>(() => firewall.ApplyAsync(Ports("ep-a", 8080)));
        Assert.Equal(["iptables-save", "iptables-restore"], runner.Programs);

        runner.Programs.Clear();
        await firewall.ApplyAsync(Ports("ep-a", 8080));
        Assert.Equal(["iptables-save", "iptables-restore"], runner.Programs);
    }

    [Fact]
    public async Task Apply_CancelledWhileTheRestoreRan_NextChangeReadsTheTablesAgain()
    {
        var runner = new FakeRunner();
        var firewall = new IptablesFirewall(runner);
        await firewall.ApplyAsync(Ports("ep-a", 8080));
        runner.CancelNext = true;
        await Assert.ThrowsAsync<OperationCanceledException>(() => firewall.ApplyAsync(Ports("ep-b", 8081)));
        runner.Programs.Clear();

        await firewall.RemoveOwnerAsync("ep-b", IpFamily.IPv4);

        // The view did not learn of ep-b's rule; a fresh read does, so it is removed.
        Assert.Equal(["iptables-save", "iptables-restore"], runner.Programs);
        Assert.DoesNotContain(runner.Tables.Rules, r => r.Spec.Contains("--dport 8081", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ListOwners_AlwaysReadsTheTables()
    {
        var runner = new FakeRunner();
        var firewall = new IptablesFirewall(runner);
        await firewall.ApplyAsync(Ports("ep-a", 8080));
        runner.Tables = IptablesSnapshot.Parse(Empty);

        Assert.Empty(await firewall.ListOwnersAsync(IpFamily.IPv4));
        Assert.Equal(["iptables-save", "iptables-restore", "iptables-save"], runner.Programs);
    }

    [Fact]
    public void Apply_OfForApplyThenForRemoval_LeavesTheViewAsItWas()
    {
        var view = IptablesSnapshot.Parse(Empty);
        var set = new FirewallRuleSet("net-a", IpFamily.IPv4,
            [new FirewallChain("filter", "NETSTACK-A")],
            [
                new FirewallRule("filter", "NETSTACK-A", "-s", "10.1.0.0/16", "-j", "ACCEPT"),
                FirewallRule.Jump("filter", "FORWARD", "NETSTACK-A"),
            ]);

        view.Apply(RestoreScript.ForApply(set, view));
        Assert.True(view.HasChain("filter", "NETSTACK-A"));
        Assert.Equal(["net-a"], view.Owners());
        Assert.Equal([("filter", "NETSTACK-A")], view.ChainsOwnedBy("net-a"));
        // The jump was inserted, so it leads FORWARD; the chain holds its marker and its rule.
        Assert.Equal(3, view.Rules.Count);

        view.Apply(RestoreScript.ForRemoval("net-a", view));
        Assert.False(view.HasChain("filter", "NETSTACK-A"));
        Assert.Empty(view.Rules);
        Assert.Empty(view.Owners());
    }
}
