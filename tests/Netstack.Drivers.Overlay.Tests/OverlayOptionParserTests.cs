using System.Net;
using Netstack.Core;
using Netstack.Core.Drivers;
using Xunit;

namespace Netstack.Drivers.Overlay.Tests;

public sealed class OverlayOptionParserTests
{
    private const int Underlay = 1500;

    private static DriverNetwork Network(params (string Key, string Value)[] options) => new()
    {
        NetworkId = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        Name = "ov",
        Options = options.ToDictionary(o => o.Key, o => o.Value, StringComparer.Ordinal),
        IPv4 = [new DriverIpamData { Subnet = IPNetwork.Parse("10.77.0.0/24"), Gateway = new CidrAddress(IPAddress.Parse("10.77.0.1"), 24) }],
    };

    [Fact]
    public void Parse_VniListGiven_TakesTheFirstId()
    {
        var config = OverlayOptionParser.Parse(Network((DockerOptions.OverlayVxlanIdList, "4097,4098")), Underlay);

        Assert.Equal(4097u, config.Vni);
    }

    [Fact]
    public void Parse_NoMtuOption_UsesUnderlayLessVxlanOverhead()
    {
        var config = OverlayOptionParser.Parse(Network((DockerOptions.OverlayVxlanIdList, "4096")), 9000);

        Assert.Equal(8950, config.Mtu);
    }

    [Fact]
    public void Parse_GatewayGiven_PutsItOnTheBridge()
    {
        var config = OverlayOptionParser.Parse(Network((DockerOptions.OverlayVxlanIdList, "4096")), Underlay);

        Assert.Equal([new CidrAddress(IPAddress.Parse("10.77.0.1"), 24)], config.Gateways);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("0")]
    [InlineData("16777216")]
    [InlineData("-5")]
    [InlineData("4096x,1")]
    public void Parse_BadVni_NamesTheOptionAndValue(string? value)
    {
        var network = value is null ? Network() : Network((DockerOptions.OverlayVxlanIdList, value));

        var e = Assert.Throws<InvalidParameterException>(() => OverlayOptionParser.Parse(network, Underlay));

        Assert.Equal(DockerOptions.OverlayVxlanIdList, e.Field);
        Assert.Equal(value, e.Value);
        Assert.Contains(DockerOptions.OverlayVxlanIdList, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("16777215")]
    public void Parse_VniAtTheLimits_IsAccepted(string value)
    {
        var config = OverlayOptionParser.Parse(Network((DockerOptions.OverlayVxlanIdList, value)), Underlay);

        Assert.Equal(uint.Parse(value, System.Globalization.CultureInfo.InvariantCulture), config.Vni);
    }

    [Theory]
    [InlineData("")]
    [InlineData("true")]
    public void Parse_Encrypted_RefusedNamingTheMissingKernelFeature(string value)
    {
        var network = Network((DockerOptions.OverlayVxlanIdList, "4096"), (DockerOptions.OverlayEncrypted, value));

        var e = Assert.Throws<InvalidParameterException>(() => OverlayOptionParser.Parse(network, Underlay));

        Assert.Equal("encrypted", e.Field);
        Assert.Contains("IPsec ESP", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_MtuAboveUnderlayLess50_NamesFieldAndValue()
    {
        var network = Network((DockerOptions.OverlayVxlanIdList, "4096"), (DockerOptions.DriverMtu, "1451"));

        var e = Assert.Throws<InvalidParameterException>(() => OverlayOptionParser.Parse(network, Underlay));

        Assert.Equal(DockerOptions.DriverMtu, e.Field);
        Assert.Equal("1451", e.Value);
        Assert.Contains("1450", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1450", 1450)]
    [InlineData("1400", 1400)]
    public void Parse_MtuWithinUnderlay_IsUsed(string value, int expected)
    {
        var config = OverlayOptionParser.Parse(Network((DockerOptions.OverlayVxlanIdList, "4096"), (DockerOptions.DriverMtu, value)), Underlay);

        Assert.Equal(expected, config.Mtu);
    }

    [Theory]
    [InlineData("big")]
    [InlineData("-1")]
    [InlineData("67")]
    public void Parse_MtuNotANumberOrTooSmall_NamesFieldAndValue(string value)
    {
        var network = Network((DockerOptions.OverlayVxlanIdList, "4096"), (DockerOptions.DriverMtu, value));

        var e = Assert.Throws<InvalidParameterException>(() => OverlayOptionParser.Parse(network, Underlay));

        Assert.Equal(DockerOptions.DriverMtu, e.Field);
        Assert.Equal(value, e.Value);
    }

    [Fact]
    public void Names_FitInterfaceAndDockerSchemes()
    {
        var config = OverlayOptionParser.Parse(Network((DockerOptions.OverlayVxlanIdList, "4096")), Underlay);

        Assert.Equal("ov-4096-0123456789", config.NamespaceName);
        Assert.Equal("vx-001000-01234", config.VxlanName);
        Assert.True(config.VxlanName.Length <= 15);
    }
}
