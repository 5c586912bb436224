namespace Netstack.Linux;

/// <summary>macvlan modes, values of enum macvlan_mode in include/uapi/linux/if_link.h.</summary>
public enum MacvlanMode
{
    Private = 1,
    Vepa = 2,
    Bridge = 4,
    Passthru = 8,
}

/// <summary>A macvlan on a parent. Equivalent to <c>ip link add NAME link PARENT type macvlan mode MODE</c>.</summary>
public sealed record MacvlanSpec : LinkSpec
{
    public MacvlanSpec(string name, LinkRef parent, MacvlanMode mode = MacvlanMode.Bridge)
        : base(name)
    {
        if (!Enum.IsDefined(mode))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, $"unknown macvlan mode {(int)mode}; use bridge, private, vepa or passthru");
        }
        Parent = parent;
        Mode = mode;
    }

    public override string Kind => "macvlan";

    public LinkRef Parent { get; }

    public MacvlanMode Mode { get; }
}
