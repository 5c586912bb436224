using Netstack.Linux.Netfilter.Wire;
using Netstack.Linux.Netlink.Wire;

namespace Netstack.Linux.Netfilter;

/// <summary>
/// An nfnetlink (NETLINK_NETFILTER) connection to nf_tables in one network namespace (the one it
/// was opened in), usable from any thread: requests are serialised by a lock. Writes go as one
/// batch (all or nothing); a kernel error becomes a <see cref="NetlinkException"/> naming the
/// operation of the batch that failed. No process is run: this is what <c>nft</c> itself does.
/// </summary>
public sealed class NftablesHandle : IDisposable
{
    private const int ReceiveBufferBytes = 256 * 1024;
    private const int DumpRetries = 5;

    private readonly Netlink.NetlinkSocket _socket;
    private readonly Lock _lock = new();
    private readonly byte[] _receiveBuffer = new byte[ReceiveBufferBytes];
    private readonly byte[] _requestBuffer = new byte[1024];
    private uint _sequence;
    private bool _disposed;

    private NftablesHandle(Netlink.NetlinkSocket socket)
    {
        _socket = socket;
        _sequence = (uint)Environment.TickCount;
    }

    /// <summary>Opens a handle in <paramref name="ns"/> (its socket created on a thread inside it), or in the caller's namespace.</summary>
    public static NftablesHandle Open(NetworkNamespace? ns = null)
    {
        static Netlink.NetlinkSocket OpenSocket() => Netlink.NetlinkSocket.Open(protocol: Netlink.NetlinkSocket.NETLINK_NETFILTER);
        return new NftablesHandle(ns is null ? OpenSocket() : ns.Run(OpenSocket));
    }

    /// <summary>
    /// Writes <paramref name="batch"/> as one transaction. When the kernel refuses any of it,
    /// nothing is applied and the first refusal is thrown, naming its operation.
    /// </summary>
    public void Commit(NftBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Count == 0)
        {
            return;
        }
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var first = _sequence;
            _sequence += (uint)batch.Count + 2;
            var buffer = NftMessages.EncodeBatch(batch, first, out var length);
            _socket.Send(buffer.AsSpan(0, length), "nftables batch");
            // One answer per operation (each asks for an ACK; the kernel goes on past an error to
            // report every one), or a single error about the batch itself on BEGIN's sequence.
            var pending = new HashSet<uint>();
            for (var i = 1u; i <= batch.Count; i++)
            {
                pending.Add(unchecked(first + i));
            }
            NetlinkException? failure = null;
            while (pending.Count > 0)
            {
                var received = _socket.Receive(_receiveBuffer, out var errno);
                if (received < 0)
                {
                    throw NetlinkException.Create($"nftables batch ({pending.Count} answers outstanding)", errno);
                }
                var reader = new NetlinkMessageReader(_receiveBuffer.AsSpan(0, received));
                while (reader.TryRead(out var message))
                {
                    if (message.Type != Nl.NLMSG_ERROR)
                    {
                        continue;
                    }
                    var code = message.ErrorCode;
                    if (message.Sequence == first)
                    {
                        throw NetlinkException.Create($"nftables batch of {batch.Count}", (Errno)(-code), message.ExtendedAckMessage(), Hint((Errno)(-code)));
                    }
                    if (!pending.Remove(message.Sequence))
                    {
                        continue;
                    }
                    if (code != 0 && failure is null)
                    {
                        var operation = batch.Operations[(int)unchecked(message.Sequence - first - 1)];
                        failure = NetlinkException.Create($"nftables {operation.Description}", (Errno)(-code), message.ExtendedAckMessage(), Hint((Errno)(-code)));
                    }
                }
            }
            if (failure is not null)
            {
                throw failure;
            }
        }
    }

    /// <summary>
    /// Reads a table with its chains and their rules in order, or null when it does not exist.
    /// Equivalent to: <c>nft list table FAMILY TABLE</c>.
    /// </summary>
    public NftTable? TableGet(NftFamily family, string table)
    {
        ArgumentException.ThrowIfNullOrEmpty(table);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            for (var attempt = 0; ; attempt++)
            {
                if (!TableExists(family, table))
                {
                    return null;
                }
                var chains = new Dictionary<string, (NftHook? Hook, bool Accept)>(StringComparer.Ordinal);
                var rules = new Dictionary<string, List<NftRule>>(StringComparer.Ordinal);
                var consistent = Dump(family, table, rules: false, (in NetlinkMessage m) => ReadChain(m, table, chains));
                consistent &= Dump(family, table, rules: true, (in NetlinkMessage m) => ReadRule(m, table, rules));
                if (!consistent && attempt < DumpRetries)
                {
                    continue; // changed while read: read again
                }
                var result = new Dictionary<string, NftChain>(StringComparer.Ordinal);
                foreach (var (name, (hook, accept)) in chains)
                {
                    result[name] = new NftChain(name, hook, rules.TryGetValue(name, out var list) ? list : [], accept);
                }
                return new NftTable(family, table, result);
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _socket.Dispose();
        }
    }

    private static string? Hint(Errno errno) => errno switch
    {
        Errno.EOPNOTSUPP or Errno.EPROTONOSUPPORT or Errno.EAFNOSUPPORT => "the kernel lacks nf_tables or one of its expressions (CONFIG_NF_TABLES, nft_nat, nft_ct, nft_fib, nft_masq)",
        _ => null,
    };

    private bool TableExists(NftFamily family, string table)
    {
        var sequence = ++_sequence;
        var length = NftMessages.EncodeGetTable(_requestBuffer, family, table, sequence);
        _socket.Send(_requestBuffer.AsSpan(0, length), "nftables get table");
        var found = false;
        while (true)
        {
            var received = _socket.Receive(_receiveBuffer, out var errno);
            if (received < 0)
            {
                throw NetlinkException.Create("nftables get table (recv)", errno);
            }
            var reader = new NetlinkMessageReader(_receiveBuffer.AsSpan(0, received));
            while (reader.TryRead(out var message))
            {
                if (message.Sequence != sequence)
                {
                    continue;
                }
                if (message.Type == Nl.NLMSG_ERROR)
                {
                    var code = message.ErrorCode;
                    if (code == 0)
                    {
                        return found;
                    }
                    if (-code == (int)Errno.ENOENT)
                    {
                        return false;
                    }
                    throw NetlinkException.Create($"nftables get table {table}", (Errno)(-code), message.ExtendedAckMessage(), Hint((Errno)(-code)));
                }
                found = true;
            }
        }
    }

    private delegate void ReplyHandler(in NetlinkMessage message);

    /// <summary>Returns false when the kernel flagged the dump as interrupted (NLM_F_DUMP_INTR).</summary>
    private bool Dump(NftFamily family, string table, bool rules, ReplyHandler onReply)
    {
        var sequence = ++_sequence;
        var length = NftMessages.EncodeDump(_requestBuffer, family, table, rules, sequence);
        _socket.Send(_requestBuffer.AsSpan(0, length), "nftables dump");
        var consistent = true;
        while (true)
        {
            var received = _socket.Receive(_receiveBuffer, out var errno);
            if (received < 0)
            {
                throw NetlinkException.Create("nftables dump (recv)", errno);
            }
            var reader = new NetlinkMessageReader(_receiveBuffer.AsSpan(0, received));
            while (reader.TryRead(out var message))
            {
                if (message.Sequence != sequence)
                {
                    continue;
                }
                if ((message.Flags & Nl.NLM_F_DUMP_INTR) != 0)
                {
                    consistent = false;
                }
                if (message.Type == Nl.NLMSG_DONE)
                {
                    return consistent;
                }
                if (message.Type == Nl.NLMSG_ERROR)
                {
                    var code = message.ErrorCode;
                    if (code == 0 || -code == (int)Errno.ENOENT)
                    {
                        return consistent;
                    }
                    throw NetlinkException.Create($"nftables list {(rules ? "rules" : "chains")} of {table}", (Errno)(-code), message.ExtendedAckMessage(), Hint((Errno)(-code)));
                }
                onReply(message);
            }
        }
    }

    private static void ReadChain(in NetlinkMessage message, string table, Dictionary<string, (NftHook? Hook, bool Accept)> chains)
    {
        if (message.Type != Nft.Type(Nft.NFT_MSG_NEWCHAIN) || message.Payload.Length < Nft.GenMessageLength)
        {
            return;
        }
        string? name = null, owner = null, type = null;
        uint? hookNumber = null;
        var priority = 0;
        var accept = true;
        var reader = new AttributeReader(message.Payload[Nft.GenMessageLength..]);
        while (reader.TryRead(out var attribute, out var value))
        {
            switch (attribute)
            {
                case Nft.NFTA_CHAIN_TABLE:
                    owner = AttributeValue.String(value);
                    break;
                case Nft.NFTA_CHAIN_NAME:
                    name = AttributeValue.String(value);
                    break;
                case Nft.NFTA_CHAIN_TYPE:
                    type = AttributeValue.String(value);
                    break;
                case Nft.NFTA_CHAIN_POLICY:
                    accept = NftRule.Be32(value) == 1;
                    break;
                case Nft.NFTA_CHAIN_HOOK:
                    var hook = new AttributeReader(value);
                    while (hook.TryRead(out var ht, out var hv))
                    {
                        if (ht == Nft.NFTA_HOOK_HOOKNUM)
                        {
                            hookNumber = (uint)NftRule.Be32(hv);
                        }
                        else if (ht == Nft.NFTA_HOOK_PRIORITY)
                        {
                            priority = NftRule.Be32(hv);
                        }
                    }
                    break;
            }
        }
        if (name is null || owner != table)
        {
            return;
        }
        chains[name] = (hookNumber is { } number ? new NftHook(type ?? "filter", number, priority) : null, accept);
    }

    private static void ReadRule(in NetlinkMessage message, string table, Dictionary<string, List<NftRule>> rules)
    {
        if (message.Type != Nft.Type(Nft.NFT_MSG_NEWRULE) || message.Payload.Length < Nft.GenMessageLength)
        {
            return;
        }
        string? chain = null, owner = null;
        ReadOnlySpan<byte> expressions = default, userdata = default;
        var reader = new AttributeReader(message.Payload[Nft.GenMessageLength..]);
        while (reader.TryRead(out var attribute, out var value))
        {
            switch (attribute)
            {
                case Nft.NFTA_RULE_TABLE:
                    owner = AttributeValue.String(value);
                    break;
                case Nft.NFTA_RULE_CHAIN:
                    chain = AttributeValue.String(value);
                    break;
                case Nft.NFTA_RULE_EXPRESSIONS:
                    expressions = value;
                    break;
                case Nft.NFTA_RULE_USERDATA:
                    userdata = value;
                    break;
            }
        }
        if (chain is null || owner != table)
        {
            return;
        }
        if (!rules.TryGetValue(chain, out var list))
        {
            list = [];
            rules[chain] = list;
        }
        list.Add(NftRule.FromKernel(expressions, userdata));
    }
}
