using System.Net;

namespace Netstack.Core.Ipam;

/// <summary>
/// An address manager, modelled on libnetwork's <c>ipamapi.Ipam</c>. Pools are reserved per address
/// space (<see cref="IpamAddressSpaces"/>); addresses are requested from a pool by its id. Every
/// reservation is persisted before the call returns, so a daemon crash never hands an address out twice.
/// </summary>
public interface IIpamDriver
{
    /// <summary>Driver name (<c>default</c>).</summary>
    string Name { get; }

    /// <summary>
    /// Reserves a pool: the given subnet (overlap with a pool already reserved in the space:
    /// <see cref="ConflictException"/>), or, when <see cref="PoolRequest.Subnet"/> is null, the first
    /// free predefined pool that overlaps neither another pool nor a route on the host (none left:
    /// <see cref="ConflictException"/>).
    /// </summary>
    Task<PoolReservation> RequestPoolAsync(PoolRequest request, CancellationToken cancellationToken);

    /// <summary>Releases a pool and every address in it. Unknown pool: success.</summary>
    Task ReleasePoolAsync(string poolId, CancellationToken cancellationToken);

    /// <summary>
    /// Reserves an address: <paramref name="preferred"/> when given (outside the subnet:
    /// <see cref="InvalidParameterException"/>; taken: <see cref="ConflictException"/>), else the
    /// lowest free one in the pool's range (or the next after the last one given, with
    /// <see cref="DockerOptions.IpamSerial"/>). None free: <see cref="ConflictException"/> (a 4xx:
    /// the user fixes it by freeing addresses or using a bigger subnet).
    /// The network and broadcast addresses are never handed out.
    /// </summary>
    Task<CidrAddress> RequestAddressAsync(string poolId, IPAddress? preferred, IReadOnlyDictionary<string, string> options, CancellationToken cancellationToken);

    /// <summary>Returns an address to the pool. Not reserved: success.</summary>
    Task ReleaseAddressAsync(string poolId, IPAddress address, CancellationToken cancellationToken);

    /// <summary>Ids of the pools reserved in an address space (for reconcile to release leaked ones).</summary>
    Task<IReadOnlyList<string>> ListPoolsAsync(string addressSpace, CancellationToken cancellationToken);

    /// <summary>Addresses reserved in a pool (for reconcile to release leaked ones).</summary>
    Task<IReadOnlyList<IPAddress>> ListAddressesAsync(string poolId, CancellationToken cancellationToken);
}

/// <summary>
/// An IPAM that records which node took each address and pool of a shared (global) space, so a
/// node's reconcile can release its own leaked addresses and pools and never another node's.
/// </summary>
public interface IIpamAddressOwners
{
    /// <summary>Addresses reserved in a pool with the node that reserved each (empty owner: unknown).</summary>
    Task<IReadOnlyList<(IPAddress Address, string Owner)>> ListAddressOwnersAsync(string poolId, CancellationToken cancellationToken);

    /// <summary>The pools of an address space with the node that reserved each (empty owner: unknown).</summary>
    Task<IReadOnlyList<(string PoolId, string Owner)>> ListPoolOwnersAsync(string addressSpace, CancellationToken cancellationToken);
}

/// <summary>Names of the default address spaces, as Docker names them.</summary>
public static class IpamAddressSpaces
{
    public const string Local = "LocalDefault";
    public const string Global = "GlobalDefault";

    public static string For(NetworkScope scope) => scope == NetworkScope.Global ? Global : Local;
}

/// <summary>A pool request.</summary>
public sealed record PoolRequest
{
    public string AddressSpace { get; init; } = IpamAddressSpaces.Local;

    /// <summary>Subnet to reserve; null picks a predefined pool.</summary>
    public IPNetwork? Subnet { get; init; }

    /// <summary>Range inside the subnet that plain address requests draw from (<c>--ip-range</c>).</summary>
    public IPNetwork? IpRange { get; init; }

    public bool IPv6 { get; init; }

    public IReadOnlyDictionary<string, string> Options { get; init; } = Empty.Options;
}

/// <summary>A reserved pool.</summary>
public sealed record PoolReservation
{
    public required string PoolId { get; init; }

    public required IPNetwork Subnet { get; init; }

    public IPNetwork? IpRange { get; init; }
}
