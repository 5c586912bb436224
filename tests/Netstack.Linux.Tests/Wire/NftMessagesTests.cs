using System.Buffers.Binary;
using Netstack.Linux.Netfilter;
using Netstack.Linux.Netfilter.Wire;
using Netstack.Linux.Netlink.Wire;
using Xunit;

namespace Netstack.Linux.Tests.Wire;

/// <summary>nf_tables requests as bytes (nfnetlink batches, nf_tables messages, expressions), without a kernel.</summary>
public sealed class NftMessagesTests
{
    [Fact]
    public void Batch_OneTable_IsBeginThenNewTableThenEnd_WithNfgenmsgAndAck()
    {
        var buffer = NftMessages.EncodeBatch(new NftBatch(NftFamily.IPv4).TableAdd("netstack"), 100, out var length);
        var bytes = buffer.AsSpan(0, length);

        // BEGIN: nlmsghdr (len 20, type 16, REQUEST, seq 100) + nfgenmsg (AF_UNSPEC, v0, res_id 10 big-endian).
        Assert.Equal(Convert.FromHexString("14000000" + "1000" + "0100" + "64000000" + "00000000" + "00" + "00" + "000a"), bytes[..20].ToArray());
        // NEWTABLE: type NFNL_SUBSYS_NFTABLES << 8 | 0, REQUEST|ACK|CREATE, seq 101, family NFPROTO_IPV4,
        // NFTA_TABLE_NAME "netstack\0" (13 bytes, padded to 16).
        Assert.Equal(Convert.FromHexString("24000000" + "000a" + "0504" + "65000000" + "00000000" + "02000000" + "0d000100" + "6e6574737461636b00000000"), bytes[20..56].ToArray());
        // END: type 17, seq 102.
        Assert.Equal(Convert.FromHexString("14000000" + "1100" + "0100" + "66000000" + "00000000" + "0000000a"), bytes[56..].ToArray());
        Assert.Equal(76, length);
    }

    [Fact]
    public void Batch_EveryOperation_HasItsOwnSequence_AndAsksForAnAck()
    {
        var rule = NftRule.Of([new NftVerdict(NftVerdictCode.Accept)], "netstack:a");
        var batch = new NftBatch(NftFamily.IPv6)
            .TableAdd("t")
            .ChainAdd("t", "filter-FORWARD", new NftHook("filter", NftHook.Forward, 0))
            .ChainFlush("t", "filter-FORWARD")
            .RuleAppend("t", "filter-FORWARD", rule)
            .ChainDelete("t", "x")
            .TableDelete("t");
        var buffer = NftMessages.EncodeBatch(batch, 7, out var length);
        var reader = new NetlinkMessageReader(buffer.AsSpan(0, length));
        var seen = new List<(ushort Type, ushort Flags, uint Sequence)>();
        while (reader.TryRead(out var message))
        {
            seen.Add((message.Type, message.Flags, message.Sequence));
            if (message.Type >> 8 == Nft.NFNL_SUBSYS_NFTABLES)
            {
                Assert.Equal((byte)NftFamily.IPv6, message.Payload[0]);
            }
        }
        Assert.Equal([7u, 8, 9, 10, 11, 12, 13, 14], seen.Select(s => s.Sequence));
        Assert.Equal(Nft.NFNL_MSG_BATCH_BEGIN, seen[0].Type);
        Assert.Equal(Nft.NFNL_MSG_BATCH_END, seen[^1].Type);
        Assert.Equal(
            [Nft.NFT_MSG_NEWTABLE, Nft.NFT_MSG_NEWCHAIN, Nft.NFT_MSG_DELRULE, Nft.NFT_MSG_NEWRULE, Nft.NFT_MSG_DELCHAIN, Nft.NFT_MSG_DELTABLE],
            seen.Skip(1).Take(6).Select(s => (ushort)(s.Type & 0xff)));
        Assert.All(seen.Skip(1).Take(6), s => Assert.NotEqual(0, s.Flags & Nl.NLM_F_ACK));
        // The rule is appended (NLM_F_APPEND), not inserted at the head.
        Assert.NotEqual(0, seen[4].Flags & Nl.NLM_F_APPEND);
    }

    [Fact]
    public void Chain_Base_CarriesHookPriorityTypeAndPolicyAccept()
    {
        var buffer = NftMessages.EncodeBatch(new NftBatch(NftFamily.IPv4).ChainAdd("t", "nat-PREROUTING", new NftHook("nat", NftHook.PreRouting, NftHook.DestinationNatPriority)), 1, out var length);
        var reader = new NetlinkMessageReader(buffer.AsSpan(0, length));
        reader.TryRead(out _);
        reader.TryRead(out var chain);
        var attributes = new AttributeReader(chain.Payload[Nft.GenMessageLength..]);
        var found = new Dictionary<ushort, byte[]>();
        while (attributes.TryRead(out var type, out var value))
        {
            found[type] = value.ToArray();
        }
        Assert.Equal("nat-PREROUTING", AttributeValue.String(found[Nft.NFTA_CHAIN_NAME]));
        Assert.Equal("nat", AttributeValue.String(found[Nft.NFTA_CHAIN_TYPE]));
        Assert.Equal(1, BinaryPrimitives.ReadInt32BigEndian(found[Nft.NFTA_CHAIN_POLICY]));
        // NFTA_HOOK_HOOKNUM 0 (prerouting), NFTA_HOOK_PRIORITY -100, both big-endian.
        Assert.Equal(Convert.FromHexString("08000100" + "00000000" + "08000200" + "ffffff9c"), found[Nft.NFTA_CHAIN_HOOK]);
    }

    [Fact]
    public void Expression_Cmp_IsElemWithNameAndNestedData()
    {
        var rule = NftRule.Of([new NftCmp(NftCmpOp.NotEqual, [0x0a, 0x01])], null);
        // NFTA_LIST_ELEM (nested) { NFTA_EXPR_NAME "cmp\0", NFTA_EXPR_DATA (nested) { SREG 1, OP 1, DATA (nested) { VALUE 0a01 } } }
        Assert.Equal(Convert.FromHexString(
            "2c000180" + "08000100636d7000" + "20000280" + "0800010000000001" + "0800020000000001" + "0c000380" + "060001000a010000"),
            rule.Expressions);
    }

    [Fact]
    public void Rule_Key_IgnoresAttributeOrderAndNestingFlags_ButNotValues()
    {
        // The kernel dumps cmp as SREG, OP, DATA without NLA_F_NESTED; ours has the flags set.
        var kernel = Convert.FromHexString("2c000100" + "08000100636d7000" + "20000200" + "0800020000000001" + "0800010000000001" + "0c000300" + "060001000a010000");
        var ours = NftRule.Of([new NftCmp(NftCmpOp.NotEqual, [0x0a, 0x01])], "netstack:x");
        Assert.Equal(ours.Key, NftRule.FromKernel(kernel, ours.Userdata()).Key);
        var other = NftRule.Of([new NftCmp(NftCmpOp.Equal, [0x0a, 0x01])], "netstack:x");
        Assert.NotEqual(ours.Key, other.Key);
        Assert.NotEqual(ours.Key, NftRule.Of([new NftCmp(NftCmpOp.NotEqual, [0x0a, 0x01])], "netstack:y").Key);
    }

    [Fact]
    public void Rule_Comment_IsLibnftnlUserdata_AndReadsBack()
    {
        var rule = NftRule.Of([], "netstack:bridge");
        // NFTNL_UDATA_RULE_COMMENT (0), length 16 with the NUL, the text.
        Assert.Equal(Convert.FromHexString("0010" + "6e6574737461636b3a62726964676500"), rule.Userdata());
        Assert.Equal("netstack:bridge", NftRule.FromKernel(rule.Expressions, rule.Userdata()).Comment);
        Assert.Null(NftRule.FromKernel([], []).Comment);
    }

    [Fact]
    public void Verdict_Jump_NamesTheChain()
    {
        var key = NftRule.Of([new NftVerdict(NftVerdictCode.Jump, "filter-NETSTACK-A")], null).Key;
        Assert.Contains("chain:filter-NETSTACK-A", key, StringComparison.Ordinal);
        Assert.Contains("FFFFFFFD", key, StringComparison.Ordinal); // NFT_JUMP = -3, big-endian
    }
}
