namespace Netstack.Core.Storage;

/// <summary>
/// A multi-key compare-and-swap: conditions on revisions, then puts and deletes applied together.
/// Build with the fluent methods: <c>new StoreTransaction().IfRevision(k, r).Put(k, v).Delete(k2)</c>.
/// </summary>
public sealed class StoreTransaction
{
    private readonly List<StoreCondition> _conditions = [];
    private readonly List<StoreOperation> _operations = [];

    public IReadOnlyList<StoreCondition> Conditions => _conditions;

    public IReadOnlyList<StoreOperation> Operations => _operations;

    /// <summary>Requires the key to be at revision <paramref name="revision"/>; 0 requires it to be absent.</summary>
    public StoreTransaction IfRevision(string key, long revision)
    {
        _conditions.Add(new StoreCondition(key, revision));
        return this;
    }

    /// <summary>Requires the key to be absent.</summary>
    public StoreTransaction IfAbsent(string key) => IfRevision(key, 0);

    public StoreTransaction Put(string key, ReadOnlyMemory<byte> value)
    {
        _operations.Add(new StoreOperation(key, value, IsDelete: false));
        return this;
    }

    public StoreTransaction Delete(string key)
    {
        _operations.Add(new StoreOperation(key, ReadOnlyMemory<byte>.Empty, IsDelete: true));
        return this;
    }
}

/// <summary>A condition: the key's revision equals <see cref="Revision"/> (0 = key absent).</summary>
public sealed record StoreCondition(string Key, long Revision);

/// <summary>A put or a delete.</summary>
public sealed record StoreOperation(string Key, ReadOnlyMemory<byte> Value, bool IsDelete);

/// <summary>A compare-and-swap condition did not hold: someone else wrote the key first.</summary>
public sealed class StoreConflictException : ConflictException
{
    public StoreConflictException(string key, long? expected, long actual)
        : base($"store key \"{key}\" changed: expected revision {expected?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "any"}, found {actual.ToString(System.Globalization.CultureInfo.InvariantCulture)}")
    {
        Key = key;
        ActualRevision = actual;
    }

    public string Key { get; }

    public long ActualRevision { get; }
}
