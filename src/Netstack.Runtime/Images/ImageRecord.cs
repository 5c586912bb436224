namespace Netstack.Runtime.Images;

/// <summary>The metadata file of an image, <c>{DataRoot}/images/{id}/image.json</c>.</summary>
internal sealed class ImageRecord
{
    public string Id { get; set; } = "";

    /// <summary>References pointing at this image, "name:tag".</summary>
    public List<string> Tags { get; set; } = [];

    public DateTimeOffset Created { get; set; }

    /// <summary>Bytes of regular files in the extracted root file system.</summary>
    public long Size { get; set; }

    public ImageInfo ToInfo() => new(Id, [.. Tags], Created, Size);
}
