using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Netstack.Runtime.Containers;

/// <summary>Container ids (64 hex, random) and names (Docker's grammar), and generated names.</summary>
internal static partial class ContainerNames
{
    // Docker's container name grammar (daemon/names: RestrictedNameChars), at least two characters.
    [GeneratedRegex(@"^[a-zA-Z0-9][a-zA-Z0-9_.-]+$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex IdPattern();

    private static readonly string[] Adjectives =
    [
        "agile", "bold", "brave", "calm", "eager", "fancy", "gentle", "happy", "keen", "lucid",
        "merry", "nimble", "proud", "quiet", "rapid", "sharp", "steady", "swift", "tidy", "vivid",
    ];

    private static readonly string[] Nouns =
    [
        "badger", "cedar", "comet", "falcon", "fjord", "geyser", "harbor", "heron", "lagoon", "lynx",
        "maple", "meadow", "otter", "pebble", "quartz", "raven", "summit", "tundra", "walrus", "zephyr",
    ];

    /// <summary>A new random id: 32 random bytes as 64 hex digits, as Docker's.</summary>
    public static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    public static bool IsId(string value) => IdPattern().IsMatch(value);

    /// <summary>Returns the name without a leading '/' (Docker accepts "/name"), or throws naming the bad value.</summary>
    public static string NormalizeName(string name)
    {
        var trimmed = name.StartsWith('/') ? name[1..] : name;
        if (trimmed.Length > 255 || !NamePattern().IsMatch(trimmed))
        {
            throw RuntimeException.Invalid(
                $"invalid container name \"{name}\": use at least two of [a-zA-Z0-9_.-], starting with a letter or digit");
        }
        if (IsId(trimmed))
        {
            throw RuntimeException.Invalid($"invalid container name \"{name}\": a 64-hex-digit name would read as a container id");
        }
        return trimmed;
    }

    /// <summary>A readable random name like "swift_otter"; a numeric suffix when that one is taken.</summary>
    public static string Generate(Func<string, bool> isTaken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var name = $"{Adjectives[RandomNumberGenerator.GetInt32(Adjectives.Length)]}_{Nouns[RandomNumberGenerator.GetInt32(Nouns.Length)]}";
            if (attempt >= 10)
            {
                name += RandomNumberGenerator.GetInt32(1000, 10000).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            if (!isTaken(name))
            {
                return name;
            }
        }
    }
}
