namespace Netstack.Api.Contracts.Images;

/// <summary>One entry of <c>GET /images/json</c>.</summary>
public sealed class ImageSummary
{
    public string Id { get; set; } = "";

    public string ParentId { get; set; } = "";

    /// <summary><c>NAME:TAG</c> strings.</summary>
    public List<string> RepoTags { get; set; } = [];

    public List<string> RepoDigests { get; set; } = [];

    /// <summary>Unix seconds.</summary>
    public long Created { get; set; }

    public long Size { get; set; }

    public long SharedSize { get; set; } = -1;

    public Dictionary<string, string> Labels { get; set; } = [];

    public int Containers { get; set; } = -1;
}
