namespace Netstack.Store;

/// <summary>Settings of the embedded SQLite store.</summary>
public sealed class SqliteStoreOptions
{
    public const string DefaultPath = "/var/lib/netstack/netstack.db";

    /// <summary>Database file; its directory is created if missing.</summary>
    public string Path { get; set; } = DefaultPath;

    /// <summary>
    /// How long a writer waits for a lock held by another connection (another netstackd process
    /// opening the same file, or a CLI reading it) before failing with SQLITE_BUSY.
    /// </summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
