using System.Net.NetworkInformation;

namespace Netstack.Linux;

/// <summary>
/// A veth pair. The peer can be created directly in another namespace, in the same request, so a
/// failure leaves neither end. Equivalent to
/// <c>ip link add NAME type veth peer name PEER netns NS</c>.
/// </summary>
public sealed record VethSpec : LinkSpec
{
    public VethSpec(string name, string peerName)
        : base(name)
    {
        InterfaceName.Validate(peerName, "peer name");
        PeerName = peerName;
    }

    public override string Kind => "veth";

    public string PeerName { get; }

    /// <summary>Namespace of the peer end; null = the same namespace as the first end.</summary>
    public NetworkNamespace? PeerNamespace { get; init; }

    public PhysicalAddress? PeerMacAddress { get; init; }

    public int? PeerMtu { get; init; }

    /// <summary>
    /// Bring the peer up after creation. The kernel cannot do it in the creating request (veth_open
    /// answers ENOTCONN until both ends are registered), so this costs a second request in the
    /// peer's namespace; a failure there deletes the pair.
    /// </summary>
    public bool PeerUp { get; init; }
}
