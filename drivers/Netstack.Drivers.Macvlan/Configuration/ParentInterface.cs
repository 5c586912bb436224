using System.Globalization;
using Netstack.Core;
using Netstack.Linux;

namespace Netstack.Drivers.Macvlan;

/// <summary>
/// The <c>parent</c> option: an interface name, or <c>IF.VLAN</c> (Docker's spelling for "an 802.1Q
/// sub-interface of IF with this VLAN id"). Only the syntax is checked here; whether the interface
/// exists is the kernel's to say.
/// </summary>
internal sealed record ParentInterface
{
    private ParentInterface(string name, string? vlanBase, ushort vlanId)
    {
        Name = name;
        VlanBase = vlanBase;
        VlanId = vlanId;
    }

    /// <summary>The full name (<c>eth0</c> or <c>eth0.10</c>): the link the macvlans sit on.</summary>
    public string Name { get; }

    /// <summary>For <c>IF.VLAN</c>, IF; null for a plain name.</summary>
    public string? VlanBase { get; }

    /// <summary>For <c>IF.VLAN</c>, the VLAN id (1..4094); 0 for a plain name.</summary>
    public ushort VlanId { get; }

    public bool IsVlan => VlanBase is not null;

    public override string ToString() => Name;

    /// <summary>Parses the option; a bad value is an <see cref="InvalidParameterException"/> naming <c>parent</c>.</summary>
    public static ParentInterface Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new InvalidParameterException(MacvlanOptionNames.Parent, value,
                "the macvlan driver needs an existing host interface as parent (-o parent=eth0); "
                + "Docker would create a dummy parent, but this kernel has no dummy interfaces");
        }
        if (!InterfaceName.IsValid(value))
        {
            // IFNAMSIZ is 16 bytes with the terminating NUL.
            throw new InvalidParameterException(MacvlanOptionNames.Parent, value, "an interface name is 1..15 bytes without '/', ':' or whitespace");
        }
        var dot = value.LastIndexOf('.');
        if (dot < 0)
        {
            return new ParentInterface(value, null, 0);
        }
        var vlanBase = value[..dot];
        var idText = value[(dot + 1)..];
        if (vlanBase.Length == 0 || vlanBase.Contains('.', StringComparison.Ordinal))
        {
            throw new InvalidParameterException(MacvlanOptionNames.Parent, value, "an 802.1Q parent is written IF.VLAN, e.g. eth0.10");
        }
        // 12 bits of VLAN id; 0 (priority tag only) and 4095 are reserved by IEEE 802.1Q.
        if (!ushort.TryParse(idText, NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id is < 1 or > VlanSpec.MaxId)
        {
            throw new InvalidParameterException(MacvlanOptionNames.Parent, value, $"the VLAN id \"{idText}\" must be a number in 1..{VlanSpec.MaxId}");
        }
        return new ParentInterface(value, vlanBase, id);
    }
}
