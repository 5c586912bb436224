using System.Buffers.Binary;
using Netstack.Linux.Netlink.Wire;

namespace Netstack.Linux.Netfilter.Wire;

/// <summary>
/// Encodes nf_tables requests: a batch's messages between NFNL_MSG_BATCH_BEGIN and END, each with
/// struct nfgenmsg and asking for an ACK (so every message gets exactly one answer), and the dump
/// requests of chains and rules. Apart from the socket so it can be tested without a kernel.
/// </summary>
internal static class NftMessages
{
    private const ushort Ack = Nl.NLM_F_ACK;

    /// <summary>
    /// The batch as one buffer; sequence numbers run from <paramref name="firstSequence"/> (BEGIN)
    /// up, one per operation, then END. Returns the buffer's length.
    /// </summary>
    public static byte[] EncodeBatch(NftBatch batch, uint firstSequence, out int length)
    {
        var size = 64 + batch.Operations.Sum(o => 96 + 2 * (o.Table.Length + (o.Chain?.Length ?? 0)) + (o.Rule?.Expressions.Length ?? 0) + 260);
        var buffer = new byte[size];
        var writer = new NetlinkWriter(buffer);
        var sequence = firstSequence;
        BatchMarker(ref writer, Nft.NFNL_MSG_BATCH_BEGIN, sequence++);
        var family = (byte)batch.Family;
        foreach (var operation in batch.Operations)
        {
            switch (operation.Kind)
            {
                case NftBatch.Kind.TableAdd:
                    Begin(ref writer, Nft.NFT_MSG_NEWTABLE, Ack | Nl.NLM_F_CREATE, family, sequence++);
                    writer.PutString(Nft.NFTA_TABLE_NAME, operation.Table);
                    break;
                case NftBatch.Kind.TableDelete:
                    Begin(ref writer, Nft.NFT_MSG_DELTABLE, Ack, family, sequence++);
                    writer.PutString(Nft.NFTA_TABLE_NAME, operation.Table);
                    break;
                case NftBatch.Kind.ChainAdd:
                    Begin(ref writer, Nft.NFT_MSG_NEWCHAIN, Ack | Nl.NLM_F_CREATE, family, sequence++);
                    writer.PutString(Nft.NFTA_CHAIN_TABLE, operation.Table);
                    writer.PutString(Nft.NFTA_CHAIN_NAME, operation.Chain!);
                    if (operation.Hook is { } hook)
                    {
                        var nested = writer.BeginNested(Nft.NFTA_CHAIN_HOOK, markNested: true);
                        PutBe32(ref writer, Nft.NFTA_HOOK_HOOKNUM, hook.HookNumber);
                        PutBe32(ref writer, Nft.NFTA_HOOK_PRIORITY, unchecked((uint)hook.Priority));
                        writer.EndNested(nested);
                        PutBe32(ref writer, Nft.NFTA_CHAIN_POLICY, 1); // NF_ACCEPT
                        writer.PutString(Nft.NFTA_CHAIN_TYPE, hook.Type);
                    }
                    break;
                case NftBatch.Kind.ChainFlush:
                    Begin(ref writer, Nft.NFT_MSG_DELRULE, Ack, family, sequence++);
                    writer.PutString(Nft.NFTA_RULE_TABLE, operation.Table);
                    writer.PutString(Nft.NFTA_RULE_CHAIN, operation.Chain!);
                    break;
                case NftBatch.Kind.ChainDelete:
                    Begin(ref writer, Nft.NFT_MSG_DELCHAIN, Ack, family, sequence++);
                    writer.PutString(Nft.NFTA_CHAIN_TABLE, operation.Table);
                    writer.PutString(Nft.NFTA_CHAIN_NAME, operation.Chain!);
                    break;
                case NftBatch.Kind.RuleAppend:
                    Begin(ref writer, Nft.NFT_MSG_NEWRULE, Ack | Nl.NLM_F_CREATE | Nl.NLM_F_APPEND, family, sequence++);
                    writer.PutString(Nft.NFTA_RULE_TABLE, operation.Table);
                    writer.PutString(Nft.NFTA_RULE_CHAIN, operation.Chain!);
                    var expressions = writer.BeginNested(Nft.NFTA_RULE_EXPRESSIONS, markNested: true);
                    operation.Rule!.Expressions.CopyTo(writer.Reserve(operation.Rule.Expressions.Length));
                    writer.EndNested(expressions);
                    var userdata = operation.Rule.Userdata();
                    if (userdata.Length > 0)
                    {
                        writer.PutBytes(Nft.NFTA_RULE_USERDATA, userdata);
                    }
                    break;
                default:
                    throw new InvalidOperationException($"nftables batch: unknown operation {operation.Kind}");
            }
            writer.EndMessage();
        }
        BatchMarker(ref writer, Nft.NFNL_MSG_BATCH_END, sequence);
        length = writer.Length;
        return buffer;
    }

    /// <summary>A dump of every chain (<paramref name="rules"/> false) or every rule of <paramref name="table"/> in the family.</summary>
    public static int EncodeDump(Span<byte> buffer, NftFamily family, string table, bool rules, uint sequence)
    {
        var writer = new NetlinkWriter(buffer);
        Begin(ref writer, rules ? Nft.NFT_MSG_GETRULE : Nft.NFT_MSG_GETCHAIN, Nl.NLM_F_DUMP, (byte)family, sequence);
        writer.PutString(rules ? Nft.NFTA_RULE_TABLE : Nft.NFTA_CHAIN_TABLE, table);
        writer.EndMessage();
        return writer.Length;
    }

    /// <summary>A request for one table, answered with the table or ENOENT.</summary>
    public static int EncodeGetTable(Span<byte> buffer, NftFamily family, string table, uint sequence)
    {
        var writer = new NetlinkWriter(buffer);
        Begin(ref writer, Nft.NFT_MSG_GETTABLE, Nl.NLM_F_ACK, (byte)family, sequence);
        writer.PutString(Nft.NFTA_TABLE_NAME, table);
        writer.EndMessage();
        return writer.Length;
    }

    private static void Begin(ref NetlinkWriter writer, ushort message, ushort flags, byte family, uint sequence)
    {
        writer.BeginMessage(Nft.Type(message), (ushort)(Nl.NLM_F_REQUEST | flags), sequence);
        var header = writer.Reserve(Nft.GenMessageLength);
        header[0] = family;
        header[1] = Nft.NFNETLINK_V0;
    }

    private static void BatchMarker(ref NetlinkWriter writer, ushort type, uint sequence)
    {
        writer.BeginMessage(type, Nl.NLM_F_REQUEST, sequence);
        var header = writer.Reserve(Nft.GenMessageLength);
        header[0] = 0; // AF_UNSPEC
        header[1] = Nft.NFNETLINK_V0;
        // res_id: the subsystem the batch is for, in network byte order.
        BinaryPrimitives.WriteUInt16BigEndian(header[2..], Nft.NFNL_SUBSYS_NFTABLES);
        writer.EndMessage();
    }

    private static void PutBe32(ref NetlinkWriter writer, ushort type, uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        writer.PutBytes(type, bytes);
    }
}
