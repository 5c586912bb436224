using System.Security.Cryptography;

namespace Netstack.Core;

/// <summary>
/// Ids of networks, endpoints and sandboxes: 64 lower-case hex digits (256 random bits), the shape
/// Docker uses, so a 12-digit prefix is a practical short id and collisions are not a concern.
/// </summary>
public static class ObjectId
{
    /// <summary>Length of a full id in hex digits.</summary>
    public const int Length = 64;

    /// <summary>Length of the short form shown in tables and used for bridge names (<c>br-&lt;id[:12]&gt;</c>).</summary>
    public const int ShortLength = 12;

    /// <summary>A new random id.</summary>
    public static string New()
    {
        Span<byte> bytes = stackalloc byte[Length / 2];
        RandomNumberGenerator.Fill(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    /// <summary>True when <paramref name="value"/> is a full 64-digit lower-case hex id.</summary>
    public static bool IsFull(string? value) => value is { Length: Length } && IsHex(value);

    /// <summary>True when <paramref name="value"/> could be a prefix of an id (1 to 64 lower-case hex digits).</summary>
    public static bool IsPrefix(string? value) => value is { Length: > 0 and <= Length } && IsHex(value);

    /// <summary>The first 12 digits of an id.</summary>
    public static string Short(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return id.Length <= ShortLength ? id : id[..ShortLength];
    }

    private static bool IsHex(string value)
    {
        foreach (var c in value)
        {
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f')))
            {
                return false;
            }
        }
        return true;
    }
}
