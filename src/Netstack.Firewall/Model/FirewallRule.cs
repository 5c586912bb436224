namespace Netstack.Firewall;

/// <summary>
/// One rule: <c>iptables -t TABLE -A CHAIN ARGS...</c> (or <c>-I</c> when <see cref="Insert"/>),
/// with the owner's comment added. Rules may go into netstack's own chains; in a built-in chain
/// only a jump to a netstack chain is allowed, so chains netstack does not own only ever gain
/// jumps, and lose exactly those.
/// </summary>
public sealed record FirewallRule
{
    private static readonly HashSet<string> CommandFlags = new(StringComparer.Ordinal)
    {
        "-A", "--append", "-I", "--insert", "-D", "--delete", "-R", "--replace", "-F", "--flush", "-X", "--delete-chain",
        "-P", "--policy", "-N", "--new-chain", "-E", "--rename-chain", "-Z", "--zero", "-t", "--table", "-L", "--list", "-S", "--list-rules",
    };

    public FirewallRule(string table, string chain, params IReadOnlyList<string> arguments)
    {
        FirewallNames.ValidateTable(table);
        ArgumentNullException.ThrowIfNull(arguments);
        if (string.IsNullOrEmpty(chain) || chain.Any(char.IsWhiteSpace))
        {
            throw new ArgumentException($"invalid chain \"{chain}\"", nameof(chain));
        }
        if (arguments.Count == 0)
        {
            throw new ArgumentException($"rule in {table}/{chain} has no arguments", nameof(arguments));
        }
        foreach (var argument in arguments)
        {
            if (argument is null || argument.Length == 0 || argument.IndexOfAny(['"', '\n', '\r', '\0']) >= 0)
            {
                throw new ArgumentException($"invalid rule argument \"{argument}\" in {table}/{chain}: empty, or contains a quote or line break", nameof(arguments));
            }
            if (CommandFlags.Contains(argument))
            {
                throw new ArgumentException($"invalid rule argument \"{argument}\" in {table}/{chain}: commands are not rule arguments", nameof(arguments));
            }
        }
        if (!FirewallNames.IsOwnedChainName(chain))
        {
            if (!FirewallNames.BuiltinChains.Contains(chain))
            {
                throw new ArgumentException($"invalid chain \"{chain}\": rules go into {FirewallNames.ChainPrefix}* chains, or into built-in chains as jumps", nameof(chain));
            }
            if (JumpTarget(arguments) is not { } target || !FirewallNames.IsOwnedChainName(target))
            {
                throw new ArgumentException($"rule in built-in chain {table}/{chain} must jump to a {FirewallNames.ChainPrefix}* chain (-j {FirewallNames.ChainPrefix}...)", nameof(arguments));
            }
        }
        Table = table;
        Chain = chain;
        Arguments = arguments.ToArray();
    }

    public string Table { get; }

    public string Chain { get; }

    public IReadOnlyList<string> Arguments { get; }

    /// <summary>Insert at the top of the chain (<c>-I</c>) instead of appending; for jumps from built-in chains.</summary>
    public bool Insert { get; init; }

    /// <summary>A jump from a built-in chain: <c>-I CHAIN [MATCH...] -j TARGET</c>.</summary>
    public static FirewallRule Jump(string table, string fromChain, string toChain, params IReadOnlyList<string> match) =>
        new(table, fromChain, [.. match, "-j", toChain]) { Insert = true };

    internal static string? JumpTarget(IReadOnlyList<string> arguments)
    {
        for (var i = 0; i < arguments.Count - 1; i++)
        {
            if (arguments[i] is "-j" or "--jump" or "-g" or "--goto")
            {
                return arguments[i + 1];
            }
        }
        return null;
    }
}
