namespace Netstack.Cli.Output;

/// <summary>Ids are shown by their first 12 hex digits, as docker does.</summary>
internal static class ShortId
{
    public static string Of(string id) => id.Length <= 12 ? id : id[..12];
}
