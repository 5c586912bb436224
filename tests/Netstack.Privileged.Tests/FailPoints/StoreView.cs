using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Netstack.Privileged.Tests.FailPoints;

/// <summary>
/// What a daemon's SQLite store holds, read straight from <c>ROOT/netstack.db</c> (read-only, beside
/// the running daemon: WAL readers do not block its writer), so a check does not take the
/// daemon's word for its own state.
/// </summary>
internal sealed class StoreView
{
    private StoreView(Dictionary<string, JsonElement> entries)
    {
        Entries = entries;
    }

    /// <summary>Every key with its JSON value (names/ keys hold a bare id, read as a JSON string).</summary>
    public IReadOnlyDictionary<string, JsonElement> Entries { get; }

    public IEnumerable<(string Key, JsonElement Value)> Under(string prefix) =>
        Entries.Where(e => e.Key.StartsWith(prefix, StringComparison.Ordinal)).Select(e => (e.Key, e.Value));

    /// <summary>
    /// The local store, and with <paramref name="global"/> the daemon's keys in the global (etcd)
    /// store beside them: global networks, their names, VXLAN ids and attachments, and the global
    /// address space's IPAM keys are read there, where the daemon wrote them.
    /// </summary>
    public static StoreView Read(string root, GlobalStore? global = null)
    {
        var view = ReadLocal(root);
        if (global is null)
        {
            return view;
        }
        var entries = new Dictionary<string, JsonElement>(view.Entries, StringComparer.Ordinal);
        foreach (var (key, value) in global.Etcd.Entries(global.Prefix))
        {
            entries[key] = Parse(value);
        }
        return new StoreView(entries);
    }

    private static StoreView ReadLocal(string root)
    {
        var path = Path.Combine(root, "netstack.db");
        var entries = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            return new StoreView(entries);
        }
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT key, value FROM kv";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var key = reader.GetString(0);
            var value = (byte[])reader.GetValue(1);
            entries[key] = Parse(value);
        }
        return new StoreView(entries);
    }

    private static JsonElement Parse(byte[] value)
    {
        try
        {
            using var doc = JsonDocument.Parse(value);
            return doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            using var doc = JsonDocument.Parse(JsonSerializer.Serialize(System.Text.Encoding.UTF8.GetString(value)));
            return doc.RootElement.Clone();
        }
    }
}

/// <summary>Case-insensitive reads of the records' JSON (the product's own naming policy is its business).</summary>
internal static class Json
{
    public static JsonElement? Get(this JsonElement e, string name)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            return null;
        }
        foreach (var p in e.EnumerateObject())
        {
            if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return p.Value;
            }
        }
        return null;
    }

    public static string? Str(this JsonElement e, string name) =>
        e.Get(name) is { ValueKind: JsonValueKind.String } v ? v.GetString() : e.Get(name) is { ValueKind: JsonValueKind.Number } n ? n.GetRawText() : null;

    public static bool Bool(this JsonElement e, string name) => e.Get(name) is { ValueKind: JsonValueKind.True };

    public static IEnumerable<JsonElement> Items(this JsonElement e, string name) =>
        e.Get(name) is { ValueKind: JsonValueKind.Array } a ? a.EnumerateArray() : [];

    public static IEnumerable<(string Name, string Value)> Pairs(this JsonElement e, string name) =>
        e.Get(name) is { ValueKind: JsonValueKind.Object } o ? o.EnumerateObject().Select(p => (p.Name, p.Value.GetString() ?? "")) : [];
}
