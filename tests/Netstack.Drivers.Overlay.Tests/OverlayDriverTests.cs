using System.Net;
using Netstack.Core;
using Netstack.Core.Drivers;
using Xunit;

namespace Netstack.Drivers.Overlay.Tests;

/// <summary>
/// The driver's bookkeeping above the kernel: network creation only validates and remembers (so it
/// runs without root and touches nothing), endpoints get Docker's MACs, unknown objects are
/// reported. The driver opens a netlink socket in the test's namespace but changes nothing there.
/// </summary>
public sealed class OverlayDriverTests : IDisposable
{
    private readonly OverlayDriver _driver = new(new OverlayDriverOptions
    {
        AdvertiseAddress = IPAddress.Parse("192.0.2.10"),
        UnderlayMtu = 1500,
        NamespaceDirectory = "/nonexistent/netstack-overlay-unit",
    }, new LocalDriverTables("node-a"));

    public void Dispose() => _driver.Dispose();

    private static DriverNetwork Network(string vni, string? id = null) => new()
    {
        NetworkId = id ?? ObjectId.New(),
        Name = "ov",
        Options = new Dictionary<string, string>(StringComparer.Ordinal) { [DockerOptions.OverlayVxlanIdList] = vni },
        IPv4 = [new DriverIpamData { Subnet = IPNetwork.Parse("10.77.0.0/24"), Gateway = new CidrAddress(IPAddress.Parse("10.77.0.1"), 24) }],
    };

    [Fact]
    public void Capabilities_AreGlobal()
    {
        Assert.Equal("overlay", _driver.Type);
        Assert.Equal(NetworkScope.Global, _driver.Capabilities.DataScope);
        Assert.Equal(NetworkScope.Global, _driver.Capabilities.ConnectivityScope);
    }

    [Fact]
    public async Task CreateNetwork_SameVniAsAnother_Conflict()
    {
        await _driver.CreateNetworkAsync(Network("4096"), CancellationToken.None);

        var e = await Assert.ThrowsAsync<ConflictException>(() => _driver.CreateNetworkAsync(Network("4096"), CancellationToken.None));

        Assert.Contains("4096", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateNetwork_Again_IsIdempotent()
    {
        var network = Network("4100");
        await _driver.CreateNetworkAsync(network, CancellationToken.None);

        await _driver.CreateNetworkAsync(network, CancellationToken.None);

        await Assert.ThrowsAsync<ConflictException>(() => _driver.CreateNetworkAsync(Network("4101", network.NetworkId), CancellationToken.None));
    }

    [Fact]
    public async Task CreateEndpoint_NoMac_DerivesDockersFromIPv4()
    {
        var network = Network("4102");
        await _driver.CreateNetworkAsync(network, CancellationToken.None);

        var result = await _driver.CreateEndpointAsync(new DriverEndpoint
        {
            NetworkId = network.NetworkId,
            EndpointId = ObjectId.New(),
            IPv4Address = new CidrAddress(IPAddress.Parse("10.77.0.2"), 24),
        }, CancellationToken.None);

        Assert.Equal("02:42:0a:4d:00:02", result.MacAddress);
    }

    [Fact]
    public async Task CreateEndpoint_MacGiven_KeepsIt()
    {
        var network = Network("4103");
        await _driver.CreateNetworkAsync(network, CancellationToken.None);

        var result = await _driver.CreateEndpointAsync(new DriverEndpoint
        {
            NetworkId = network.NetworkId,
            EndpointId = ObjectId.New(),
            MacAddress = "02:42:AC:11:00:09",
            IPv4Address = new CidrAddress(IPAddress.Parse("10.77.0.2"), 24),
        }, CancellationToken.None);

        Assert.Equal("02:42:ac:11:00:09", result.MacAddress);
    }

    [Fact]
    public async Task CreateEndpoint_NoIPv4_NamesTheField()
    {
        var network = Network("4104");
        await _driver.CreateNetworkAsync(network, CancellationToken.None);

        var e = await Assert.ThrowsAsync<InvalidParameterException>(() => _driver.CreateEndpointAsync(new DriverEndpoint
        {
            NetworkId = network.NetworkId,
            EndpointId = ObjectId.New(),
        }, CancellationToken.None));

        Assert.Equal("IPv4 address", e.Field);
    }

    [Fact]
    public async Task UnknownNetwork_EndpointIsNotFound_DeletesSucceed_NoPeers()
    {
        var id = ObjectId.New();

        await Assert.ThrowsAsync<NotFoundException>(() => _driver.CreateEndpointAsync(new DriverEndpoint
        {
            NetworkId = id,
            EndpointId = ObjectId.New(),
            IPv4Address = new CidrAddress(IPAddress.Parse("10.77.0.2"), 24),
        }, CancellationToken.None));
        await _driver.LeaveAsync(id, ObjectId.New(), CancellationToken.None);
        await _driver.DeleteEndpointAsync(id, ObjectId.New(), CancellationToken.None);
        await _driver.DeleteNetworkAsync(id, CancellationToken.None);
        Assert.Empty(_driver.Peers(id));
        Assert.Empty(((INetworkPeers)_driver).GetPeers(id));
    }

    [Fact]
    public async Task CreateNetwork_WithoutJoin_HasNoPeersAndNoPorts()
    {
        var network = Network("4105");
        await _driver.CreateNetworkAsync(network, CancellationToken.None);

        Assert.Empty(_driver.Peers(network.NetworkId));
        Assert.Empty(await _driver.ProgramExternalConnectivityAsync(new ExternalConnectivityRequest { NetworkId = network.NetworkId, EndpointId = ObjectId.New() }, CancellationToken.None));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("0.0.0.0")]
    [InlineData("fd00::1")]
    public void Construct_NoUsableAdvertiseAddress_NamesTheField(string? address)
    {
        var e = Assert.Throws<InvalidParameterException>(() => new OverlayDriver(new OverlayDriverOptions
        {
            AdvertiseAddress = address is null ? null : IPAddress.Parse(address),
            UnderlayMtu = 1500,
        }, new LocalDriverTables("n")));

        Assert.Equal("advertise address", e.Field);
    }
}
