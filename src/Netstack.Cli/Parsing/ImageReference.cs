namespace Netstack.Cli.Parsing;

/// <summary><c>NAME[:TAG]</c>, the tag <c>latest</c> when absent; a colon before a slash is a registry port, not a tag.</summary>
internal static class ImageReference
{
    /// <exception cref="FormatException">Empty name or tag; the message quotes the reference.</exception>
    public static (string Repository, string Tag) Parse(string reference)
    {
        var colon = reference.LastIndexOf(':');
        var slash = reference.LastIndexOf('/');
        var (repository, tag) = colon > slash ? (reference[..colon], reference[(colon + 1)..]) : (reference, "latest");
        if (repository.Length == 0 || tag.Length == 0 || repository.Any(char.IsWhiteSpace) || tag.Any(char.IsWhiteSpace))
        {
            throw new FormatException($"invalid image reference '{reference}': expected NAME[:TAG]");
        }
        return (repository, tag);
    }
}
