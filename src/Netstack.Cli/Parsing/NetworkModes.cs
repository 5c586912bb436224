namespace Netstack.Cli.Parsing;

/// <summary>The <c>--network</c> values that name a network mode rather than a network.</summary>
internal static class NetworkModes
{
    public static bool IsSpecial(string value) =>
        value is "none" or "host"
        || value.StartsWith("container:", StringComparison.Ordinal)
        || value.StartsWith("sandbox:", StringComparison.Ordinal);
}
