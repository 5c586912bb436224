using Netstack.Api.Contracts.Plugins;
using Netstack.Core;
using Netstack.Core.Drivers;
using Netstack.Core.Ipam;

namespace Netstack.Daemon.Plugin;

/// <summary>
/// The <c>IpamDriver.*</c> calls, served by netstack's default IPAM in address spaces of the
/// plugin's own (<see cref="LocalSpace"/>, <see cref="GlobalSpace"/>). Separate spaces keep dockerd's
/// pools apart from the controller's: the controller's reconcile releases every pool of
/// <c>LocalDefault</c> that none of its networks holds, and would release dockerd's. The cost: a
/// subnet may be reserved once by dockerd and once by a netstack network (the IPAM still skips
/// predefined pools routed on the host). Pool ids outside the plugin's spaces are refused, so a
/// plugin call can never release a pool or address of the controller.
/// </summary>
internal sealed class PluginIpamDriver
{
    public const string LocalSpace = "NetstackPluginLocal";

    /// <summary>The served drivers are local-scope: the "global" space lives in the local store too.</summary>
    public const string GlobalSpace = "NetstackPluginGlobal";

    private readonly IDriverRegistry _drivers;

    public PluginIpamDriver(IDriverRegistry drivers)
    {
        _drivers = drivers;
    }

    public static IpamCapabilitiesResponse GetCapabilities() => new() { RequiresMacAddress = false, RequiresRequestReplay = false };

    public static IpamAddressSpacesResponse GetDefaultAddressSpaces() => new() { LocalDefaultAddressSpace = LocalSpace, GlobalDefaultAddressSpace = GlobalSpace };

    public async Task<IpamRequestPoolResponse> RequestPoolAsync(IpamRequestPoolRequest request, CancellationToken cancellationToken)
    {
        var space = request.AddressSpace;
        if (space is not (LocalSpace or GlobalSpace))
        {
            throw new InvalidParameterException("AddressSpace", PluginInput.Shorten(space ?? string.Empty), $"expected {LocalSpace} or {GlobalSpace}, the spaces GetDefaultAddressSpaces names");
        }
        var subnet = string.IsNullOrEmpty(request.Pool) ? (System.Net.IPNetwork?)null : PluginInput.Subnet(request.Pool, "Pool");
        var range = string.IsNullOrEmpty(request.SubPool) ? (System.Net.IPNetwork?)null : PluginInput.Subnet(request.SubPool, "SubPool");
        if (subnet is { } s && request.V6 != (s.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6))
        {
            throw new InvalidParameterException("Pool", request.Pool, request.V6 ? "V6 is true but the pool is IPv4" : "V6 is false but the pool is IPv6");
        }
        var reservation = await Ipam().RequestPoolAsync(new PoolRequest
        {
            AddressSpace = space,
            Subnet = subnet,
            IpRange = range,
            IPv6 = request.V6,
            Options = request.Options ?? [],
        }, cancellationToken).ConfigureAwait(false);
        return new IpamRequestPoolResponse { PoolId = reservation.PoolId, Pool = reservation.Subnet.ToString() };
    }

    public async Task ReleasePoolAsync(IpamReleasePoolRequest request, CancellationToken cancellationToken)
    {
        var pool = PoolId(request.PoolId);
        await Ipam().ReleasePoolAsync(pool, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IpamRequestAddressResponse> RequestAddressAsync(IpamRequestAddressRequest request, CancellationToken cancellationToken)
    {
        var pool = PoolId(request.PoolId);
        var preferred = PluginInput.OptionalAddress(request.Address, "Address");
        var address = await Ipam().RequestAddressAsync(pool, preferred, request.Options ?? [], cancellationToken).ConfigureAwait(false);
        return new IpamRequestAddressResponse { Address = address.ToString() };
    }

    public async Task ReleaseAddressAsync(IpamReleaseAddressRequest request, CancellationToken cancellationToken)
    {
        var pool = PoolId(request.PoolId);
        var address = PluginInput.OptionalAddress(request.Address, "Address")
            ?? throw new InvalidParameterException("Address", request.Address, "it is missing or empty");
        await Ipam().ReleaseAddressAsync(pool, address, cancellationToken).ConfigureAwait(false);
    }

    private static string PoolId(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw new InvalidParameterException("PoolID", value, "it is missing or empty");
        }
        if (!value.StartsWith(LocalSpace + "/", StringComparison.Ordinal) && !value.StartsWith(GlobalSpace + "/", StringComparison.Ordinal))
        {
            throw new InvalidParameterException("PoolID", PluginInput.Shorten(value), "not a pool of this plugin (its ids start with the address space RequestPool was given)");
        }
        return value;
    }

    private IIpamDriver Ipam() =>
        _drivers.TryGetIpamDriver("default", out var ipam) ? ipam : throw new UnavailableException("netstackd has no default IPAM driver to serve IpamDriver calls");
}
