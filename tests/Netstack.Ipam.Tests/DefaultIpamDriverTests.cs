using System.Net;
using Netstack.Core;
using Netstack.Core.Ipam;
using Xunit;

namespace Netstack.Ipam.Tests;

public sealed class DefaultIpamDriverTests
{
    private static readonly IReadOnlyDictionary<string, string> NoOptions = Empty.Options;
    private static readonly IReadOnlyDictionary<string, string> GatewayOption = new Dictionary<string, string> { [DockerOptions.RequestAddressType] = DockerOptions.Gateway };

    private readonly Store.InMemoryKeyValueStore _store = new();

    private DefaultIpamDriver NewDriver(IHostRouteSource? routes = null) => new(_store, hostRoutes: routes);

    private static PoolRequest Subnet(string cidr, string? range = null, bool serial = false) => new()
    {
        Subnet = IPNetwork.Parse(cidr),
        IpRange = range is null ? null : IPNetwork.Parse(range),
        IPv6 = cidr.Contains(':', StringComparison.Ordinal),
        Options = serial ? new Dictionary<string, string> { [DockerOptions.IpamSerial] = "true" } : Empty.Options,
    };

    [Fact]
    public async Task RequestPool_NoSubnet_TakesPredefinedPoolsInOrder()
    {
        var ipam = NewDriver();

        var first = await ipam.RequestPoolAsync(new PoolRequest(), default);
        var second = await ipam.RequestPoolAsync(new PoolRequest(), default);

        Assert.Equal(IPNetwork.Parse("172.17.0.0/16"), first.Subnet);
        Assert.Equal("LocalDefault/172.17.0.0/16", first.PoolId);
        Assert.Equal(IPNetwork.Parse("172.18.0.0/16"), second.Subnet);
    }

    [Fact]
    public async Task RequestPool_NoSubnet_SkipsSubnetsRoutedOnTheHost()
    {
        var routes = new StaticHostRoutes([IPNetwork.Parse("0.0.0.0/0"), IPNetwork.Parse("172.17.0.0/16"), IPNetwork.Parse("172.18.5.0/24")]);
        var ipam = NewDriver(routes);

        var pool = await ipam.RequestPoolAsync(new PoolRequest(), default);

        Assert.Equal(IPNetwork.Parse("172.19.0.0/16"), pool.Subnet);
    }

    [Fact]
    public async Task RequestPool_NoSubnet_SkipsUserSubnetsOfOtherNetworks()
    {
        var ipam = NewDriver();
        await ipam.RequestPoolAsync(Subnet("172.17.3.0/24"), default);

        var pool = await ipam.RequestPoolAsync(new PoolRequest(), default);

        Assert.Equal(IPNetwork.Parse("172.18.0.0/16"), pool.Subnet);
    }

    [Fact]
    public async Task RequestPool_AllPredefinedUsed_ConflictSaysGiveASubnet()
    {
        var ipam = NewDriver();
        for (var i = 0; i < 31; i++)
        {
            await ipam.RequestPoolAsync(new PoolRequest(), default);
        }

        var e = await Assert.ThrowsAsync<ConflictException>(() => ipam.RequestPoolAsync(new PoolRequest(), default));
        Assert.Contains("--subnet", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RequestPool_OverlappingSubnet_Conflict()
    {
        var ipam = NewDriver();
        await ipam.RequestPoolAsync(Subnet("10.20.0.0/16"), default);

        var e = await Assert.ThrowsAsync<ConflictException>(() => ipam.RequestPoolAsync(Subnet("10.20.5.0/24"), default));
        Assert.Contains("10.20.5.0/24", e.Message, StringComparison.Ordinal);
        Assert.Contains("10.20.0.0/16", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RequestPool_RangeOutsideSubnet_InvalidParameterNamesIpRange()
    {
        var ipam = NewDriver();

        var e = await Assert.ThrowsAsync<InvalidParameterException>(() => ipam.RequestPoolAsync(Subnet("10.20.0.0/24", "10.21.0.0/25"), default));

        Assert.Equal("ip-range", e.Field);
        Assert.Equal("10.21.0.0/25", e.Value);
        Assert.Equal(0, _store.Count);
    }

    [Fact]
    public async Task RequestAddress_LowestFree_ReusesReleasedAddress()
    {
        var ipam = NewDriver();
        var pool = await ipam.RequestPoolAsync(Subnet("10.1.0.0/24"), default);

        var a = await ipam.RequestAddressAsync(pool.PoolId, null, NoOptions, default);
        var b = await ipam.RequestAddressAsync(pool.PoolId, null, NoOptions, default);
        await ipam.RequestAddressAsync(pool.PoolId, null, NoOptions, default);
        await ipam.ReleaseAddressAsync(pool.PoolId, b.Address, default);
        var again = await ipam.RequestAddressAsync(pool.PoolId, null, NoOptions, default);

        Assert.Equal("10.1.0.1/24", a.ToString());
        Assert.Equal("10.1.0.2/24", b.ToString());
        Assert.Equal(b, again);
    }

    [Fact]
    public async Task RequestAddress_Serial_DoesNotReuseReleasedAddressAtOnce()
    {
        var ipam = NewDriver();
        var pool = await ipam.RequestPoolAsync(Subnet("10.1.0.0/24", serial: true), default);

        await ipam.RequestAddressAsync(pool.PoolId, null, NoOptions, default);
        var b = await ipam.RequestAddressAsync(pool.PoolId, null, NoOptions, default);
        await ipam.ReleaseAddressAsync(pool.PoolId, b.Address, default);
        var next = await ipam.RequestAddressAsync(pool.PoolId, null, NoOptions, default);

        Assert.Equal("10.1.0.3", next.Address.ToString());
    }

    [Fact]
    public async Task RequestAddress_Serial_WrapsToLowestFreeAtTheEnd()
    {
        var ipam = NewDriver();
        var pool = await ipam.RequestPoolAsync(Subnet("10.1.0.0/29", serial: true), default);
        var all = new List<CidrAddress>();
        for (var i = 0; i < 6; i++)
        {
            all.Add(await ipam.RequestAddressAsync(pool.PoolId, null, NoOptions, default));
        }
        await ipam.ReleaseAddressAsync(pool.PoolId, all[1].Address, default);

        var next = await ipam.RequestAddressAsync(pool.PoolId, null, NoOptions, default);

        Assert.Equal("10.1.0.2", next.Address.ToString());
    }

    [Fact]
    public async Task RequestAddress_WithIpRange_EndpointsFromRangeGatewayFromSubnet()
    {
        var ipam = NewDriver();
        var pool = await ipam.RequestPoolAsync(Subnet("10.2.0.0/16", "10.2.5.0/24"), default);

        var gateway = await ipam.RequestAddressAsync(pool.PoolId, null, GatewayOption, default);
        var endpoint = await ipam.RequestAddressAsync(pool.PoolId, null, NoOptions, default);

        Assert.Equal("10.2.0.1/16", gateway.ToString());
        Assert.Equal("10.2.5.0/16", endpoint.ToString());
    }

    [Fact]
    public async Task RequestAddress_SmallSubnet_NeverGivesNetworkOrBroadcast_ThenExhausted()
    {
        var ipam = NewDriver();
        var pool = await ipam.RequestPoolAsync(Subnet("10.3.0.0/30"), default);

        var a = await ipam.RequestAddressAsync(pool.PoolId, null, NoOptions, default);
        var b = await ipam.RequestAddressAsync(pool.PoolId, null, NoOptions, default);
        var e = await Assert.ThrowsAsync<ConflictException>(() => ipam.RequestAddressAsync(pool.PoolId, null, NoOptions, default));

        Assert.Equal(["10.3.0.1", "10.3.0.2"], new[] { a.Address.ToString(), b.Address.ToString() });
        Assert.Contains("no available addresses", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10.4.1.5", "not in subnet")]
    [InlineData("10.4.0.0", "network address")]
    [InlineData("10.4.0.255", "broadcast address")]
    [InlineData("fd00::5", "not in subnet")]
    public async Task RequestAddress_PreferredNotAssignable_InvalidParameterNamesIp(string ip, string reason)
    {
        var ipam = NewDriver();
        var pool = await ipam.RequestPoolAsync(Subnet("10.4.0.0/24"), default);

        var e = await Assert.ThrowsAsync<InvalidParameterException>(() => ipam.RequestAddressAsync(pool.PoolId, IPAddress.Parse(ip), NoOptions, default));

        Assert.Equal("ip", e.Field);
        Assert.Equal(ip, e.Value);
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RequestAddress_PreferredTaken_Conflict_AndPreferredOutsideRangeAllowed()
    {
        var ipam = NewDriver();
        var pool = await ipam.RequestPoolAsync(Subnet("10.5.0.0/16", "10.5.1.0/24"), default);

        var outside = await ipam.RequestAddressAsync(pool.PoolId, IPAddress.Parse("10.5.9.9"), NoOptions, default);
        var e = await Assert.ThrowsAsync<ConflictException>(() => ipam.RequestAddressAsync(pool.PoolId, IPAddress.Parse("10.5.9.9"), NoOptions, default));

        Assert.Equal("10.5.9.9/16", outside.ToString());
        Assert.Contains("10.5.9.9", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IPv6_AllocatesFromOneAndAcceptsPreferred()
    {
        var ipam = NewDriver();
        var pool = await ipam.RequestPoolAsync(Subnet("fd00:1::/64"), default);

        var a = await ipam.RequestAddressAsync(pool.PoolId, null, NoOptions, default);
        var b = await ipam.RequestAddressAsync(pool.PoolId, IPAddress.Parse("fd00:1::ffff:ffff:ffff:ffff"), NoOptions, default);
        var c = await ipam.RequestAddressAsync(pool.PoolId, null, NoOptions, default);

        Assert.Equal("fd00:1::1/64", a.ToString());
        Assert.Equal("fd00:1::ffff:ffff:ffff:ffff/64", b.ToString());
        Assert.Equal("fd00:1::2/64", c.ToString());
    }

    [Fact]
    public async Task IPv6_AutomaticPool_IsUlaSlash64()
    {
        var ipam = NewDriver();

        var pool = await ipam.RequestPoolAsync(new PoolRequest { IPv6 = true }, default);

        Assert.Equal(IPNetwork.Parse("fd42:6e73:7400::/64"), pool.Subnet);
    }

    [Fact]
    public async Task NewDriverOnSameStore_SeesPoolsAndTakenAddresses()
    {
        var first = NewDriver();
        var pool = await first.RequestPoolAsync(Subnet("10.6.0.0/24"), default);
        await first.RequestAddressAsync(pool.PoolId, null, NoOptions, default);
        await first.RequestAddressAsync(pool.PoolId, null, NoOptions, default);

        var restarted = NewDriver();
        var next = await restarted.RequestAddressAsync(pool.PoolId, null, NoOptions, default);

        Assert.Equal("10.6.0.3", next.Address.ToString());
        await Assert.ThrowsAsync<ConflictException>(() => restarted.RequestPoolAsync(Subnet("10.6.0.0/25"), default));
        Assert.Equal(2 + 1, (await restarted.ListAddressesAsync(pool.PoolId, default)).Count);
        Assert.Equal([pool.PoolId], await restarted.ListPoolsAsync(IpamAddressSpaces.Local, default));
    }

    [Fact]
    public async Task ConcurrentRequests_OneDriver_AllUnique()
    {
        var ipam = NewDriver();
        var pool = await ipam.RequestPoolAsync(Subnet("10.7.0.0/16"), default);

        var addresses = await Task.WhenAll(Enumerable.Range(0, 300).Select(_ => Task.Run(() => ipam.RequestAddressAsync(pool.PoolId, null, NoOptions, default))));

        Assert.Equal(300, addresses.Select(a => a.Address).Distinct().Count());
    }

    [Fact]
    public async Task ConcurrentRequests_TwoDriversSharingAStore_AllUnique()
    {
        // Two daemons on one (global) store: only the store's create-only writes keep them apart.
        var a = NewDriver();
        var b = NewDriver();
        var pool = await a.RequestPoolAsync(Subnet("10.8.0.0/24"), default);
        await b.ListAddressesAsync(pool.PoolId, default);

        var requests = Enumerable.Range(0, 200).Select(i => Task.Run(() => (i % 2 == 0 ? a : b).RequestAddressAsync(pool.PoolId, null, NoOptions, default)));
        var addresses = await Task.WhenAll(requests);

        Assert.Equal(200, addresses.Select(x => x.Address).Distinct().Count());
        Assert.Equal(200, (await a.ListAddressesAsync(pool.PoolId, default)).Count);
    }

    [Fact]
    public async Task ReleasePool_FreesSubnetAndItsAddresses()
    {
        var ipam = NewDriver();
        var pool = await ipam.RequestPoolAsync(Subnet("10.9.0.0/24"), default);
        await ipam.RequestAddressAsync(pool.PoolId, null, NoOptions, default);

        await ipam.ReleasePoolAsync(pool.PoolId, default);
        Assert.Empty(await _store.ListAsync("ipam/LocalDefault/addresses/10.9.0.0-24/"));
        var again = await ipam.RequestPoolAsync(Subnet("10.9.0.0/24"), default);
        var first = await ipam.RequestAddressAsync(again.PoolId, null, NoOptions, default);

        Assert.Equal("10.9.0.1", first.Address.ToString());
        await ipam.ReleasePoolAsync(pool.PoolId, default);
        await ipam.ReleasePoolAsync(pool.PoolId, default);
    }

    [Fact]
    public async Task RequestAddress_UnknownPool_NotFound()
    {
        var ipam = NewDriver();

        await Assert.ThrowsAsync<NotFoundException>(() => ipam.RequestAddressAsync("LocalDefault/10.99.0.0/24", null, NoOptions, default));
    }

    [Fact]
    public async Task ListPoolOwners_GlobalPoolsNameTheirNode_LocalPoolsNone()
    {
        var global = new Store.InMemoryKeyValueStore();
        var a = new DefaultIpamDriver(_store, global, nodeName: "a");
        var b = new DefaultIpamDriver(new Store.InMemoryKeyValueStore(), global, nodeName: "b");

        var mine = await a.RequestPoolAsync(Subnet("10.70.0.0/24") with { AddressSpace = IpamAddressSpaces.Global }, default);
        var theirs = await b.RequestPoolAsync(Subnet("10.71.0.0/24") with { AddressSpace = IpamAddressSpaces.Global }, default);
        var local = await a.RequestPoolAsync(Subnet("10.72.0.0/24"), default);

        Assert.Equal([(mine.PoolId, "a"), (theirs.PoolId, "b")], await a.ListPoolOwnersAsync(IpamAddressSpaces.Global, default));
        Assert.Equal([(local.PoolId, "")], await a.ListPoolOwnersAsync(IpamAddressSpaces.Local, default));
    }

    [Fact]
    public async Task GlobalSpace_WithoutGlobalStore_Unavailable()
    {
        var ipam = NewDriver();

        await Assert.ThrowsAsync<UnavailableException>(() => ipam.RequestPoolAsync(new PoolRequest { AddressSpace = IpamAddressSpaces.Global }, default));
    }
}
