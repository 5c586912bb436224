namespace Netstack.Linux.Netfilter;

/// <summary>
/// Changes to nf_tables tables of one family, sent as one nfnetlink batch
/// (NFNL_MSG_BATCH_BEGIN ... END): the kernel applies all of them or none
/// (<c>nft -f FILE</c> does the same). Built here, written by <see cref="NftablesHandle.Commit"/>.
/// </summary>
public sealed class NftBatch
{
    private readonly List<Operation> _operations = [];

    public NftBatch(NftFamily family)
    {
        Family = family;
    }

    public NftFamily Family { get; }

    public int Count => _operations.Count;

    internal IReadOnlyList<Operation> Operations => _operations;

    /// <summary>Creates the table if missing. Equivalent to: <c>nft add table FAMILY TABLE</c>.</summary>
    public NftBatch TableAdd(string table) => Add(new Operation(Kind.TableAdd, table, null, null, null, $"add table {table}"));

    /// <summary>Deletes the table and everything in it. Equivalent to: <c>nft delete table FAMILY TABLE</c>.</summary>
    public NftBatch TableDelete(string table) => Add(new Operation(Kind.TableDelete, table, null, null, null, $"delete table {table}"));

    /// <summary>Creates the chain if missing (a base chain with <paramref name="hook"/>, policy accept). Equivalent to: <c>nft add chain FAMILY TABLE CHAIN</c>.</summary>
    public NftBatch ChainAdd(string table, string chain, NftHook? hook = null) =>
        Add(new Operation(Kind.ChainAdd, table, chain, hook, null, $"add chain {table} {chain}"));

    /// <summary>Deletes every rule of the chain. Equivalent to: <c>nft flush chain FAMILY TABLE CHAIN</c>.</summary>
    public NftBatch ChainFlush(string table, string chain) =>
        Add(new Operation(Kind.ChainFlush, table, chain, null, null, $"flush chain {table} {chain}"));

    /// <summary>Deletes the (empty, unreferenced) chain. Equivalent to: <c>nft delete chain FAMILY TABLE CHAIN</c>.</summary>
    public NftBatch ChainDelete(string table, string chain) =>
        Add(new Operation(Kind.ChainDelete, table, chain, null, null, $"delete chain {table} {chain}"));

    /// <summary>Appends a rule to the chain. Equivalent to: <c>nft add rule FAMILY TABLE CHAIN ...</c>.</summary>
    public NftBatch RuleAppend(string table, string chain, NftRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return Add(new Operation(Kind.RuleAppend, table, chain, null, rule, $"add rule {table} {chain} ({rule.Comment})"));
    }

    private NftBatch Add(Operation operation)
    {
        ArgumentException.ThrowIfNullOrEmpty(operation.Table);
        _operations.Add(operation);
        return this;
    }

    internal enum Kind
    {
        TableAdd,
        TableDelete,
        ChainAdd,
        ChainFlush,
        ChainDelete,
        RuleAppend,
    }

    internal sealed record Operation(Kind Kind, string Table, string? Chain, NftHook? Hook, NftRule? Rule, string Description);
}
