namespace Netstack.Linux;

/// <summary>
/// An 802.1Q sub-interface. Equivalent to <c>ip link add link PARENT name NAME type vlan id ID</c>.
/// Needs the kernel's 8021q support; without it the kernel answers EOPNOTSUPP and the error says so.
/// </summary>
public sealed record VlanSpec : LinkSpec
{
    /// <summary>VLAN ids are 12 bits; 0 and 4095 are reserved (IEEE 802.1Q).</summary>
    public const ushort MaxId = 4094;

    public VlanSpec(string name, LinkRef parent, ushort vlanId)
        : base(name)
    {
        if (vlanId is < 1 or > MaxId)
        {
            throw new ArgumentOutOfRangeException(nameof(vlanId), vlanId, $"VLAN id must be in 1..{MaxId}, got {vlanId}");
        }
        Parent = parent;
        VlanId = vlanId;
    }

    public override string Kind => "vlan";

    public LinkRef Parent { get; }

    public ushort VlanId { get; }
}
