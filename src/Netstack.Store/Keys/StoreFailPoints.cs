using Netstack.Core.Storage;
using Netstack.Core.FailPoints;

namespace Netstack.Store;

/// <summary>
/// The store's fail points (<c>store.write.KIND.before|after</c>), by the kind of record the first
/// key of a write holds: before a write is sent, and once it is durable and its caller has not yet
/// heard of it. Nothing is computed unless a fail point is armed.
/// </summary>
internal static class StoreFailPoints
{
    public static void Before(string key) => Hit(key, after: false);

    public static void After(string key) => Hit(key, after: true);

    public static void Before(StoreTransaction transaction) => Hit(transaction, after: false);

    public static void After(StoreTransaction transaction) => Hit(transaction, after: true);

    private static void Hit(StoreTransaction transaction, bool after)
    {
        if (FailPoint.Enabled && transaction.Operations.Count > 0)
        {
            Hit(transaction.Operations[0].Key, after);
        }
    }

    private static void Hit(string key, bool after)
    {
        if (FailPoint.Enabled && FailPointNames.StoreWrite(key, after) is { } name)
        {
            FailPoint.Hit(name);
        }
    }
}
