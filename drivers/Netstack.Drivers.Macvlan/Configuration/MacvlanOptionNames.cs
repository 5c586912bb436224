namespace Netstack.Drivers.Macvlan;

/// <summary>The driver's option names, as Docker's macvlan driver spells them (<c>-o parent=eth0</c>).</summary>
internal static class MacvlanOptionNames
{
    public const string Parent = "parent";
    public const string Mode = "macvlan_mode";
}
