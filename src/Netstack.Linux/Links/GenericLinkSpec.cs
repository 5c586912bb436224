namespace Netstack.Linux;

/// <summary>
/// A link of a kind with no options of its own (dummy, ifb, ...). Equivalent to
/// <c>ip link add NAME type KIND</c>.
/// </summary>
public sealed record GenericLinkSpec : LinkSpec
{
    public GenericLinkSpec(string name, string kind)
        : base(name)
    {
        if (string.IsNullOrWhiteSpace(kind))
        {
            throw new ArgumentException($"invalid link kind \"{kind}\"", nameof(kind));
        }
        LinkKind = kind;
    }

    public string LinkKind { get; }

    public override string Kind => LinkKind;
}
