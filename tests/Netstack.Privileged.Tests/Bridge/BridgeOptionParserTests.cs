using System.Net;
using Netstack.Core;
using Netstack.Drivers.Bridge;
using Xunit;

namespace Netstack.Privileged.Tests.Bridge;

/// <summary>Option parsing; plain facts, no root needed.</summary>
public sealed class BridgeOptionParserTests
{
    private const string Id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [Fact]
    public void Parse_NoOptions_DockerDefaults()
    {
        var config = BridgeOptionParser.Parse(BridgeLab.Network("172.18.0.0/16", id: Id));

        Assert.Equal("br-0123456789ab", config.BridgeName);
        Assert.True(config.EnableIcc);
        Assert.True(config.EnableIPMasquerade);
        Assert.Equal(IPAddress.Any, config.HostBindingIPv4);
        Assert.Equal(1500, config.Mtu);
        Assert.False(config.MtuSet);
        Assert.False(config.Internal);
        Assert.Equal("172.18.0.1/16", config.GatewayV4.ToString());
        Assert.Equal(LinkGroups.ForNetwork(Id), config.Group);
        Assert.True(LinkGroups.IsBridgeDriverGroup(config.Group));
    }

    [Fact]
    public void Parse_AllOptionsSet_Taken()
    {
        var config = BridgeOptionParser.Parse(BridgeLab.Network("10.9.0.0/24", new Dictionary<string, string>
        {
            [DockerOptions.BridgeName] = "docker1",
            [DockerOptions.BridgeEnableIcc] = "false",
            [DockerOptions.BridgeEnableIPMasquerade] = "0",
            [DockerOptions.BridgeHostBindingIPv4] = "127.0.0.1",
            [DockerOptions.DriverMtu] = "9000",
            [DockerOptions.Internal] = "true",
        }, id: Id));

        Assert.Equal("docker1", config.BridgeName);
        Assert.False(config.EnableIcc);
        Assert.False(config.EnableIPMasquerade);
        Assert.Equal(IPAddress.Loopback, config.HostBindingIPv4);
        Assert.Equal(9000, config.Mtu);
        Assert.True(config.MtuSet);
        Assert.True(config.Internal);
    }

    [Theory]
    [InlineData(DockerOptions.BridgeEnableIcc, "maybe")]
    [InlineData(DockerOptions.BridgeEnableIcc, "")]
    [InlineData(DockerOptions.BridgeEnableIPMasquerade, "yes")]
    [InlineData(DockerOptions.DriverMtu, "abc")]
    [InlineData(DockerOptions.DriverMtu, "-1")]
    [InlineData(DockerOptions.DriverMtu, "67")]
    [InlineData(DockerOptions.DriverMtu, "65536")]
    [InlineData(DockerOptions.BridgeName, "0123456789abcdef")]
    [InlineData(DockerOptions.BridgeName, "has space")]
    [InlineData(DockerOptions.BridgeName, "")]
    [InlineData(DockerOptions.BridgeHostBindingIPv4, "::1")]
    [InlineData(DockerOptions.BridgeHostBindingIPv4, "1.2.3")]
    public void Parse_BadValue_InvalidParameterNamingOptionAndValue(string option, string value)
    {
        var network = BridgeLab.Network("10.9.0.0/24", new Dictionary<string, string> { [option] = value }, id: Id);

        var error = Assert.Throws<InvalidParameterException>(() => BridgeOptionParser.Parse(network));

        Assert.Equal(option, error.Field);
        Assert.Equal(value, error.Value);
        Assert.Contains($"\"{value}\"", error.Message);
    }

    [Theory]
    [InlineData("68")]
    [InlineData("65535")]
    public void Parse_MtuAtLimits_Accepted(string mtu)
    {
        var config = BridgeOptionParser.Parse(BridgeLab.Network("10.9.0.0/24", new Dictionary<string, string> { [DockerOptions.DriverMtu] = mtu }, id: Id));

        Assert.Equal(int.Parse(mtu, System.Globalization.CultureInfo.InvariantCulture), config.Mtu);
    }

    [Fact]
    public void Parse_FifteenByteName_Accepted()
    {
        var config = BridgeOptionParser.Parse(BridgeLab.Network("10.9.0.0/24", new Dictionary<string, string> { [DockerOptions.BridgeName] = "0123456789abcde" }, id: Id));

        Assert.Equal("0123456789abcde", config.BridgeName);
    }

    [Fact]
    public void Parse_NoIPv4Pool_InvalidParameter()
    {
        var network = BridgeLab.Network("10.9.0.0/24", id: Id) with { IPv4 = [] };

        var error = Assert.Throws<InvalidParameterException>(() => BridgeOptionParser.Parse(network));

        Assert.Contains("IPv4", error.Message);
    }

    [Fact]
    public void LinkGroups_DifferentIds_DifferentGroupsInTheDriversRange()
    {
        var a = LinkGroups.ForNetwork(ObjectId.New());
        var b = LinkGroups.ForNetwork(ObjectId.New());

        Assert.NotEqual(a, b);
        Assert.Equal(LinkGroups.Marker, a & LinkGroups.MarkerMask);
        Assert.False(LinkGroups.IsBridgeDriverGroup(0));
    }

    [Fact]
    public void HostEndName_FifteenBytesFromTheEndpointId()
    {
        Assert.Equal("nsv0123456789ab", BridgeEndpoint.HostEndName(Id));
    }

    [Fact]
    public void MacAddress_DerivedFromIPv4LikeDocker()
    {
        Assert.Equal("02:42:ac:12:00:05", MacAddresses.ForEndpoint(CidrAddress.Parse("172.18.0.5/16")));
        var random = MacAddresses.ForEndpoint(null);
        Assert.StartsWith("02:42:", random, StringComparison.Ordinal);
        var error = Assert.Throws<InvalidParameterException>(() => MacAddresses.Parse("01:00:5e:00:00:01", "mac address"));
        Assert.Equal("mac address", error.Field);
        Assert.Throws<InvalidParameterException>(() => MacAddresses.Parse("zz:00:5e:00:00:01", "mac address"));
    }
}
