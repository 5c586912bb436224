using Netstack.Firewall.Nftables;
using Netstack.Linux.Netfilter;
using Xunit;

namespace Netstack.Firewall.Tests;

/// <summary>
/// The nftables backend without a kernel: iptables arguments as nf_tables expressions, and what one
/// change writes, against a fake nf_tables that applies batches all or nothing.
/// </summary>
public sealed class NftablesLogicTests
{
    private static FirewallRuleSet Base() => new("bridge", IpFamily.IPv4,
        [new FirewallChain("filter", "NETSTACK-FORWARD"), new FirewallChain("nat", "NETSTACK-DNAT")],
        [
            FirewallRule.Jump("filter", "FORWARD", "NETSTACK-FORWARD"),
            FirewallRule.Jump("nat", "PREROUTING", "NETSTACK-DNAT", "-m", "addrtype", "--dst-type", "LOCAL"),
        ]);

    private static FirewallRuleSet Network(string owner, string bridge) => new(owner, IpFamily.IPv4, [],
        [
            new FirewallRule("filter", "NETSTACK-FORWARD", "-o", bridge, "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT"),
            new FirewallRule("filter", "NETSTACK-FORWARD", "!", "-i", bridge, "-o", bridge, "-j", "DROP"),
        ]);

    private static FirewallRuleSet Port(string owner, int port) => new(owner, IpFamily.IPv4, [],
        [new FirewallRule("nat", "NETSTACK-DNAT", "-p", "tcp", "-m", "tcp", "--dport", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-j", "DNAT", "--to-destination", "10.1.0.2:80")]);

    [Fact]
    public void Translate_PrefixAndNegatedInterface_AreMaskedLoadAndNotEqualName()
    {
        var rule = new FirewallRule("nat", "NETSTACK-X", "-s", "10.1.2.3/16", "!", "-o", "br0", "-j", "MASQUERADE");
        var expressions = RuleTranslator.Translate(rule, IpFamily.IPv4);
        Assert.Equal(
            [
                new NftPayload(NftPayloadBase.Network, 12, 4),
                new NftBitwise([255, 255, 0, 0], [0, 0, 0, 0]),
                new NftCmp(NftCmpOp.Equal, [10, 1, 0, 0]),
                new NftMeta(NftMetaKey.OutputInterfaceName),
                new NftCmp(NftCmpOp.NotEqual, [(byte)'b', (byte)'r', (byte)'0', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
                new NftMasquerade(),
            ],
            expressions);
    }

    [Fact]
    public void Translate_Ipv6Dnat_LoadsAddressAndPortIntoTwoRegisters()
    {
        var rule = new FirewallRule("nat", "NETSTACK-X", "!", "-s", "fe80::/10", "-p", "tcp", "-m", "tcp", "--dport", "8080", "-j", "DNAT", "--to-destination", "[fd00::2]:80");
        var expressions = RuleTranslator.Translate(rule, IpFamily.IPv6);
        Assert.Equal(new NftPayload(NftPayloadBase.Network, 8, 16), expressions[0]);
        Assert.Equal(new NftCmp(NftCmpOp.NotEqual, [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), expressions[2]);
        Assert.Equal(new NftMeta(NftMetaKey.L4Protocol), expressions[3]);
        Assert.Equal(new NftPayload(NftPayloadBase.Transport, 2, 2), expressions[5]);
        Assert.Equal(new NftCmp(NftCmpOp.Equal, [0x1f, 0x90]), expressions[6]);
        Assert.Equal(new NftImmediate([0x00, 0x50], NftExpression.Register2), expressions[8]);
        Assert.Equal(new NftDnat(NftFamily.IPv6), expressions[9]);
    }

    [Theory]
    [InlineData("-m", "mark")]
    [InlineData("-j", "LOG")]
    [InlineData("--dport", "80:90")]
    [InlineData("-i", "br+")]
    public void Translate_WhatItCannotExpress_IsRefusedNamingIt(string option, string value)
    {
        var arguments = option == "--dport" ? new[] { "-p", "tcp", option, value, "-j", "ACCEPT" } : new[] { option, value, "-j", "ACCEPT" };
        if (option == "-j")
        {
            arguments = [option, value];
        }
        var thrown = Assert.Throws<FirewallException>(() => RuleTranslator.Translate(new FirewallRule("filter", "NETSTACK-X", arguments), IpFamily.IPv4));
        Assert.Contains(value, thrown.Message, StringComparison.Ordinal);
        Assert.Contains("--firewall-backend iptables", thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_MangleTable_IsRefusedBeforeAnyBatch()
    {
        var kernel = new FakeKernel();
        using var firewall = new NftablesFirewall(kernel);
        var set = new FirewallRuleSet("x", IpFamily.IPv4, [new FirewallChain("mangle", "NETSTACK-M")], []);
        var thrown = await Assert.ThrowsAsync<FirewallException>(() => firewall.ApplyAsync(set));
        Assert.Contains("mangle", thrown.Message, StringComparison.Ordinal);
        Assert.Equal(0, kernel.Batches);
    }

    [Fact]
    public async Task Change_IsOneBatch_ReadsNothing_AndTouchesOnlyTheChainsItChanges()
    {
        var kernel = new FakeKernel();
        using var firewall = new NftablesFirewall(kernel);
        await firewall.ApplyAsync(Base());
        await firewall.ApplyAsync(Network("net-a", "br-a"));
        var reads = kernel.Reads;
        var batches = kernel.Batches;

        await firewall.ApplyAsync(Port("ep-1", 8080));
        Assert.Equal(batches + 1, kernel.Batches);
        Assert.Equal(reads, kernel.Reads);
        // Only the DNAT chain is flushed and written again; the forward chains are left alone.
        Assert.Equal(["nat-NETSTACK-DNAT"], kernel.LastFlushed);

        // The same set again: nothing to write.
        await firewall.ApplyAsync(Port("ep-1", 8080));
        Assert.Equal(batches + 1, kernel.Batches);

        await firewall.RemoveOwnerAsync("ep-1", IpFamily.IPv4);
        Assert.DoesNotContain(kernel.Table!.Chains["nat-NETSTACK-DNAT"].Rules, r => r.Comment == "netstack:ep-1");
        Assert.Equal(["bridge", "net-a"], (await firewall.ListOwnersAsync(IpFamily.IPv4)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Apply_InsertsGoOnTopInOrder_AppendsBelowTheMarker()
    {
        var kernel = new FakeKernel();
        using var firewall = new NftablesFirewall(kernel);
        await firewall.ApplyAsync(Base());
        await firewall.ApplyAsync(Network("net-a", "br-a"));
        var forward = kernel.Table!.Chains["filter-NETSTACK-FORWARD"].Rules.Select(r => r.Comment).ToList();
        Assert.Equal(["netstack-chain:bridge", "netstack:net-a", "netstack:net-a"], forward);
        Assert.Equal(["netstack:bridge"], kernel.Table.Chains["filter-FORWARD"].Rules.Select(r => r.Comment));
        Assert.Equal(NftHook.Forward, kernel.Table.Chains["filter-FORWARD"].Hook!.HookNumber);
        Assert.Equal(NftHook.DestinationNatPriority, kernel.Table.Chains["nat-PREROUTING"].Hook!.Priority);
    }

    [Fact]
    public async Task Repair_TableGone_WritesEverythingInOneBatch_ThenFindsNothing()
    {
        var kernel = new FakeKernel();
        using var firewall = new NftablesFirewall(kernel);
        await firewall.ApplyAsync(Base());
        await firewall.ApplyAsync(Network("net-a", "br-a"));
        await firewall.ApplyAsync(Port("ep-1", 8080));
        var written = kernel.Table!;
        Assert.False((await firewall.RepairAsync(IpFamily.IPv4)).Found);

        kernel.Table = null;
        var batches = kernel.Batches;
        var drift = await firewall.RepairAsync(IpFamily.IPv4);
        Assert.True(drift.Found && drift.Repaired, drift.Summary());
        Assert.Contains("chain filter-NETSTACK-FORWARD of bridge", drift.Summary(), StringComparison.Ordinal);
        Assert.Equal(batches + 1, kernel.Batches);
        Assert.Equal(
            written.Chains.ToDictionary(c => c.Key, c => c.Value.Rules.Select(r => r.Key).ToList()),
            kernel.Table!.Chains.ToDictionary(c => c.Key, c => c.Value.Rules.Select(r => r.Key).ToList()));
        Assert.False((await firewall.RepairAsync(IpFamily.IPv4)).Found);
    }

    [Fact]
    public async Task Change_FromAStaleView_IsReadAgainAndWrittenOnce_WhenTheKernelRefusesIt()
    {
        var kernel = new FakeKernel();
        using var firewall = new NftablesFirewall(kernel);
        await firewall.ApplyAsync(Base());
        kernel.RefuseNext = true;
        await firewall.ApplyAsync(Network("net-a", "br-a"));
        Assert.Contains(kernel.Table!.Chains["filter-NETSTACK-FORWARD"].Rules, r => r.Comment == "netstack:net-a");
    }

    /// <summary>nf_tables' table <c>netstack</c> of one family: batches applied all or nothing, as the kernel does.</summary>
    private sealed class FakeKernel : INftablesKernel
    {
        public NftTable? Table { get; set; }

        public int Batches { get; private set; }

        public int Reads { get; private set; }

        public bool RefuseNext { get; set; }

        public List<string> LastFlushed { get; } = [];

        public NftTable? Read(NftFamily family, string table)
        {
            Reads++;
            return Table;
        }

        public void Commit(NftBatch batch)
        {
            if (RefuseNext)
            {
                RefuseNext = false;
                throw new FirewallException("refused (test)");
            }
            Batches++;
            LastFlushed.Clear();
            var exists = Table is not null;
            var chains = Table?.Chains.Values.ToDictionary(c => c.Name, c => (c.Hook, Rules: c.Rules.ToList())) ?? [];
            foreach (var op in batch.Operations)
            {
                switch (op.Kind)
                {
                    case NftBatch.Kind.TableAdd:
                        exists = true;
                        break;
                    case NftBatch.Kind.TableDelete:
                        Assert.True(exists, "delete of a table that is not there");
                        exists = false;
                        chains.Clear();
                        break;
                    case NftBatch.Kind.ChainAdd:
                        Assert.True(exists);
                        chains.TryAdd(op.Chain!, (op.Hook, []));
                        break;
                    case NftBatch.Kind.ChainFlush:
                        chains[op.Chain!].Rules.Clear();
                        LastFlushed.Add(op.Chain!);
                        break;
                    case NftBatch.Kind.ChainDelete:
                        Assert.Empty(chains[op.Chain!].Rules);
                        chains.Remove(op.Chain!);
                        break;
                    case NftBatch.Kind.RuleAppend:
                        chains[op.Chain!].Rules.Add(op.Rule!);
                        break;
                }
            }
            Table = exists ? new NftTable(batch.Family, "netstack", chains.ToDictionary(c => c.Key, c => new NftChain(c.Key, c.Value.Hook, c.Value.Rules))) : null;
        }

        public void Dispose()
        {
        }
    }
}
