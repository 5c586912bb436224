namespace Netstack.Api.Contracts.Images;

/// <summary>One entry of the <c>DELETE /images/{name}</c> answer; one of the two is set.</summary>
public sealed class ImageDeleteItem
{
    public string? Untagged { get; set; }

    public string? Deleted { get; set; }
}
