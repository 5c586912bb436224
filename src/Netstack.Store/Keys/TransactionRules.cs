using Netstack.Core;
using Netstack.Core.Storage;

namespace Netstack.Store;

/// <summary>Checks shared by the store implementations, so they agree on what a condition means.</summary>
internal static class TransactionRules
{
    /// <summary>Throws <see cref="StoreConflictException"/> when a single-key condition fails.</summary>
    public static void CheckSingle(string key, long? expected, long actual)
    {
        if (expected is { } e && e != actual)
        {
            throw new StoreConflictException(key, expected, actual);
        }
    }

    /// <summary>Validates keys; one key may appear in at most one operation (as etcd requires).</summary>
    public static void Validate(StoreTransaction transaction)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        foreach (var condition in transaction.Conditions)
        {
            StoreKeys.Validate(condition.Key);
            if (condition.Revision < 0)
            {
                throw new InvalidParameterException("revision", condition.Revision.ToString(System.Globalization.CultureInfo.InvariantCulture), "a revision is 0 (absent) or positive");
            }
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var op in transaction.Operations)
        {
            StoreKeys.Validate(op.Key);
            if (!seen.Add(op.Key))
            {
                throw new InvalidParameterException("key", op.Key, "a transaction may change a key only once");
            }
        }
    }
}
