using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace Netstack.Runtime.Images;

/// <summary>
/// An image name with its tag, <c>name[:tag]</c>, tag "latest" when omitted. Names follow Docker's
/// repository grammar in lower case: path components of [a-z0-9] separated by '.', '_', '__' or
/// '-', joined by '/'; a tag is [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}.
/// </summary>
public readonly partial record struct ImageReference(string Name, string Tag)
{
    public const string DefaultTag = "latest";

    // Docker's reference grammar (distribution/reference): a registry host with a port
    // ("host:5000/name") is also allowed, so the tag is what follows the last ':' after the last '/'.
    [GeneratedRegex(@"^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?::[0-9]+)?(?:/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex TagPattern();

    public override string ToString() => $"{Name}:{Tag}";

    /// <summary>Parses <c>name[:tag]</c>; throws <see cref="RuntimeException"/> (invalid argument) naming the bad value.</summary>
    public static ImageReference Parse(string reference)
    {
        if (TryParse(reference, out var parsed, out var error))
        {
            return parsed;
        }
        throw RuntimeException.Invalid(error);
    }

    public static bool TryParse(string? reference, out ImageReference parsed, [NotNullWhen(false)] out string? error)
    {
        parsed = default;
        if (string.IsNullOrWhiteSpace(reference))
        {
            error = "image reference is empty: expected NAME[:TAG]";
            return false;
        }
        if (reference.Contains('@', StringComparison.Ordinal))
        {
            error = $"image reference \"{reference}\": digests (@sha256:...) are not supported, use NAME[:TAG]";
            return false;
        }
        var name = reference;
        var tag = DefaultTag;
        var lastSlash = reference.LastIndexOf('/');
        var lastColon = reference.LastIndexOf(':');
        if (lastColon > lastSlash)
        {
            name = reference[..lastColon];
            tag = reference[(lastColon + 1)..];
        }
        if (name.Length > 255 || !NamePattern().IsMatch(name))
        {
            error = $"image reference \"{reference}\": invalid name \"{name}\" (lower-case letters, digits and separators '.', '_', '-', '/')";
            return false;
        }
        if (!TagPattern().IsMatch(tag))
        {
            error = $"image reference \"{reference}\": invalid tag \"{tag}\" (letters, digits, '_', '.', '-'; at most 128)";
            return false;
        }
        parsed = new ImageReference(name, tag);
        error = null;
        return true;
    }
}
