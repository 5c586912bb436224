using System.Text.RegularExpressions;

namespace Netstack.Firewall;

/// <summary>The naming rules of netstack's firewall objects, checked before anything runs.</summary>
public static partial class FirewallNames
{
    /// <summary>Every chain netstack creates starts with this; other chains are never flushed or deleted.</summary>
    public const string ChainPrefix = "NETSTACK-";

    /// <summary>Rules carry <c>-m comment --comment netstack:OWNER</c>.</summary>
    public const string RuleCommentPrefix = "netstack:";

    /// <summary>Each owned chain starts with a target-less marker rule <c>netstack-chain:OWNER</c>.</summary>
    public const string ChainCommentPrefix = "netstack-chain:";

    // xt_entry_target names hold 29 bytes including the NUL (XT_EXTENSION_MAXNAMELEN).
    public const int MaxChainLength = 28;

    public static readonly IReadOnlySet<string> Tables = new HashSet<string>(StringComparer.Ordinal) { "filter", "nat", "mangle", "raw", "security" };

    public static readonly IReadOnlySet<string> BuiltinChains = new HashSet<string>(StringComparer.Ordinal) { "INPUT", "FORWARD", "OUTPUT", "PREROUTING", "POSTROUTING" };

    public static void ValidateOwner(string owner)
    {
        if (owner is null || !OwnerPattern().IsMatch(owner))
        {
            throw new ArgumentException($"invalid firewall owner \"{owner}\": use 1..128 of letters, digits, '_', '.', ':', '-', starting with a letter or digit", nameof(owner));
        }
    }

    public static void ValidateTable(string table)
    {
        if (table is null || !Tables.Contains(table))
        {
            throw new ArgumentException($"invalid table \"{table}\": use one of {string.Join(", ", Tables)}", nameof(table));
        }
    }

    public static bool IsOwnedChainName(string chain) => chain.StartsWith(ChainPrefix, StringComparison.Ordinal);

    public static void ValidateOwnedChain(string chain)
    {
        if (chain is null || !IsOwnedChainName(chain) || chain.Length > MaxChainLength || !ChainPattern().IsMatch(chain))
        {
            throw new ArgumentException($"invalid chain \"{chain}\": netstack's chains are named {ChainPrefix}..., at most {MaxChainLength} characters of letters, digits, '_', '.', '-'", nameof(chain));
        }
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$")]
    private static partial Regex OwnerPattern();

    [GeneratedRegex("^[A-Za-z0-9_.-]+$")]
    private static partial Regex ChainPattern();
}
