using System.Net;
using Xunit;

namespace Netstack.Linux.Tests.Validation;

public sealed class InputValidationTests
{
    [Theory]
    [InlineData("this-is-16-bytes", "16 bytes")]
    [InlineData("a/b", "'/'")]
    [InlineData("a b", "whitespace")]
    [InlineData("tab\there", "whitespace")]
    [InlineData(".", "reserved")]
    [InlineData("..", "reserved")]
    [InlineData("", "empty")]
    [InlineData("eth0:1", "':'")]
    public void InterfaceName_Invalid_ThrowsNamingFieldAndValue(string name, string reason)
    {
        var thrown = Assert.Throws<ArgumentException>(() => new BridgeSpec(name));
        Assert.Equal("name", thrown.ParamName);
        Assert.Contains($"\"{name}\"", thrown.Message, StringComparison.Ordinal);
        Assert.Contains(reason, thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InterfaceName_FifteenBytes_IsAccepted()
    {
        Assert.True(InterfaceName.IsValid("fifteen-bytes-x"));
        Assert.False(InterfaceName.IsValid("fifteen-bytes-xé")); // 17 bytes in UTF-8
    }

    [Fact]
    public void VethSpec_BadPeerName_NamesPeerField()
    {
        var thrown = Assert.Throws<ArgumentException>(() => new VethSpec("ok", "bad/peer"));
        Assert.Equal("peer name", thrown.ParamName);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(16_777_216u)]
    public void VxlanSpec_VniOutOfRange_Throws(uint vni)
    {
        var thrown = Assert.Throws<ArgumentOutOfRangeException>(() => new VxlanSpec("vx", vni));
        Assert.Equal("vni", thrown.ParamName);
        Assert.Contains(vni.ToString(System.Globalization.CultureInfo.InvariantCulture), thrown.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1u)]
    [InlineData(16_777_215u)]
    public void VxlanSpec_VniAtBounds_IsAccepted(uint vni) => Assert.Equal(vni, new VxlanSpec("vx", vni).Vni);

    [Theory]
    [InlineData("10.0.0.1/33")]
    [InlineData("10.0.0.300/24")]
    [InlineData("fd00::1/129")]
    [InlineData("10.0.0.1/-1")]
    [InlineData("10.0.0.1/")]
    [InlineData("not-an-ip")]
    [InlineData("")]
    public void InterfaceAddress_Invalid_ThrowsWithValue(string text)
    {
        var thrown = Assert.Throws<FormatException>(() => InterfaceAddress.Parse(text));
        Assert.Contains($"\"{text}\"", thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InterfaceAddress_KeepsHostBits()
    {
        var address = InterfaceAddress.Parse("10.1.2.3/24");
        Assert.Equal(IPAddress.Parse("10.1.2.3"), address.Address);
        Assert.Equal(24, address.PrefixLength);
        Assert.Equal("10.1.2.3/24", address.ToString());
        Assert.Equal(32, InterfaceAddress.Parse("10.1.2.3").PrefixLength);
    }

    [Fact]
    public void InterfaceAddress_PrefixTooLong_ThrowsFromConstructor() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new InterfaceAddress(IPAddress.Parse("10.0.0.1"), 40));

    [Fact]
    public void VlanSpec_IdOutOfRange_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new VlanSpec("v", "eth0", 4095));

    [Fact]
    public void MacvlanSpec_UnknownMode_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new MacvlanSpec("m", "eth0", (MacvlanMode)3));

    [Fact]
    public void LinkRef_NonPositiveIndex_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => LinkRef.ByIndex(0));

    [Theory]
    [InlineData("net.ipv4.ip_forward", "/proc/sys/net/ipv4/ip_forward")]
    [InlineData("net/ipv4/conf/eth0.10/forwarding", "/proc/sys/net/ipv4/conf/eth0.10/forwarding")]
    public void Sysctl_Key_MapsToProcPath(string key, string path) => Assert.Equal(path, Sysctl.PathOf(key));

    [Theory]
    [InlineData("net/../../etc/passwd")]
    [InlineData("net..ipv4")]
    public void Sysctl_KeyEscapingProcSys_Throws(string key) => Assert.Throws<ArgumentException>(() => Sysctl.PathOf(key));

    [Fact]
    public void NetlinkException_Message_NamesOperationErrnoAndName()
    {
        var e = NetlinkException.Create("link add br-x", Errno.EEXIST);
        Assert.Equal("link add br-x: File exists (EEXIST)", e.Message);
        Assert.True(e.IsExists);
        Assert.IsType<NetlinkNotFoundException>(NetlinkException.Create("link del x", Errno.ENODEV));
    }
}
