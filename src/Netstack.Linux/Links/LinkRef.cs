using System.Globalization;

namespace Netstack.Linux;

/// <summary>
/// Names a link either by interface name or by ifindex. Strings and ints convert implicitly, so
/// <c>nl.LinkSetUp("br0")</c> and <c>nl.LinkSetUp(7)</c> both read naturally. Names are validated
/// (see <see cref="InterfaceName"/>) when the reference is made.
/// </summary>
public readonly struct LinkRef : IEquatable<LinkRef>
{
    private LinkRef(string? name, int index)
    {
        Name = name;
        Index = index;
    }

    /// <summary>The interface name, or null when the link is named by index.</summary>
    public string? Name { get; }

    /// <summary>The ifindex, or 0 when the link is named by name.</summary>
    public int Index { get; }

    public static LinkRef ByName(string name, string field = "name")
    {
        InterfaceName.Validate(name, field);
        return new LinkRef(name, 0);
    }

    public static LinkRef ByIndex(int index)
    {
        if (index <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"link index must be positive, got {index}");
        }
        return new LinkRef(null, index);
    }

#pragma warning disable CA2225 // named alternatives: ByName / ByIndex
    public static implicit operator LinkRef(string name) => ByName(name);

    public static implicit operator LinkRef(int index) => ByIndex(index);
#pragma warning restore CA2225

    public static bool operator ==(LinkRef left, LinkRef right) => left.Equals(right);

    public static bool operator !=(LinkRef left, LinkRef right) => !left.Equals(right);

    public bool Equals(LinkRef other) => Name == other.Name && Index == other.Index;

    public override bool Equals(object? obj) => obj is LinkRef other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Name, Index);

    public override string ToString() => Name ?? "ifindex " + Index.ToString(CultureInfo.InvariantCulture);
}
