namespace Netstack.Runtime.Images;

/// <summary>An imported image: its id (sha256 of the tarball, 64 hex), the tags that point at it, its size on disk.</summary>
public sealed record ImageInfo(string Id, IReadOnlyList<string> Tags, DateTimeOffset Created, long Size)
{
    /// <summary>The id as Docker prints it: <c>sha256:&lt;hex&gt;</c>.</summary>
    public string Digest => "sha256:" + Id;
}
