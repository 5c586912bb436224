using System.Net.NetworkInformation;

namespace Netstack.Linux;

/// <summary>
/// What to create with <see cref="NetlinkHandle.LinkAdd"/>: the attributes every link kind shares.
/// A subtype says the kind and carries its own options.
/// </summary>
public abstract record LinkSpec
{
    protected LinkSpec(string name)
    {
        InterfaceName.Validate(name, "name");
        Name = name;
    }

    public string Name { get; }

    /// <summary>The rtnetlink kind (IFLA_INFO_KIND): "veth", "bridge", "vxlan", ...</summary>
    public abstract string Kind { get; }

    public int? Mtu { get; init; }

    public PhysicalAddress? MacAddress { get; init; }

    /// <summary>Enslave to this bridge at creation (IFLA_MASTER).</summary>
    public LinkRef? Master { get; init; }

    /// <summary>Bring the link up at creation (IFF_UP).</summary>
    public bool Up { get; init; }

    /// <summary>Interface group (IFLA_GROUP), used for bulk deletion with <see cref="NetlinkHandle.LinkDeleteGroup"/>.</summary>
    public uint? Group { get; init; }

    /// <summary>
    /// Create the link directly in this namespace instead of the handle's (IFLA_NET_NS_FD). Names in
    /// <see cref="Master"/> are looked up in the handle's namespace; for a master inside the target
    /// namespace give its ifindex there (the kernel resolves it in the link's new namespace).
    /// </summary>
    public NetworkNamespace? Namespace { get; init; }
}
