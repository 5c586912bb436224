using System.Text.Json;
using System.Text.Json.Serialization;

namespace Netstack.Upstream.Mapping;

/// <summary>A mapping made on the router, as remembered on disk.</summary>
public sealed record MappingRecord
{
    public required string OwnerId { get; init; }

    public string OwnerName { get; init; } = "";

    /// <summary><c>upnp</c>, <c>natpmp</c> or <c>pcp</c>.</summary>
    public required string Protocol { get; init; }

    /// <summary><c>tcp</c> or <c>udp</c>.</summary>
    public required string Transport { get; init; }

    public required int InternalPort { get; init; }

    public required int ExternalPort { get; init; }

    /// <summary>The PCP nonce (base64): only it renews or deletes a PCP mapping.</summary>
    public string? Nonce { get; init; }

    /// <summary>The router it was made on.</summary>
    public string Router { get; init; } = "";
}

[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(List<MappingRecord>))]
internal sealed partial class MapperStateJsonContext : JsonSerializerContext
{
}

/// <summary>
/// The mappings file: rewritten whole (to a temporary file, then renamed) after every change, so a
/// daemon killed at any moment leaves either the old or the new list, never half of one.
/// </summary>
internal static class MapperStateFile
{
    public static List<MappingRecord> Load(string? path)
    {
        if (path is null || !File.Exists(path))
        {
            return [];
        }
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(path), MapperStateJsonContext.Default.ListMappingRecord) ?? [];
        }
        catch (JsonException)
        {
            // A damaged file loses only the list of leftovers; UPnP ones are still found by their description.
            return [];
        }
    }

    public static void Save(string? path, List<MappingRecord> records)
    {
        if (path is null)
        {
            return;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(records, MapperStateJsonContext.Default.ListMappingRecord));
        File.Move(temporary, path, overwrite: true);
    }
}
