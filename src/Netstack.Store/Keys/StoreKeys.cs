using Netstack.Core;

namespace Netstack.Store;

/// <summary>Key rules shared by every store implementation.</summary>
public static class StoreKeys
{
    /// <summary>Longest key accepted; etcd's default request limit is far above, this just keeps keys sane.</summary>
    public const int MaxKeyLength = 1024;

    /// <summary>Throws <see cref="InvalidParameterException"/> when a key is empty, too long or has control characters.</summary>
    public static void Validate(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length == 0 || key.Length > MaxKeyLength)
        {
            throw new InvalidParameterException("key", key, $"a store key has 1 to {MaxKeyLength} characters");
        }
        foreach (var c in key)
        {
            if (char.IsControl(c))
            {
                throw new InvalidParameterException("key", key, "a store key has no control characters");
            }
        }
    }

    /// <summary>
    /// The smallest string greater than every string starting with <paramref name="prefix"/> (etcd's
    /// <c>range_end</c> for a prefix: the last byte plus one), or null when there is none.
    /// </summary>
    public static string? PrefixEnd(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        for (var i = prefix.Length - 1; i >= 0; i--)
        {
            if (prefix[i] < char.MaxValue)
            {
                return string.Concat(prefix.AsSpan(0, i), ((char)(prefix[i] + 1)).ToString());
            }
        }
        return null;
    }
}
