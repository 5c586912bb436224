using Netstack.Api.Ports;
using Xunit;

namespace Netstack.Api.Tests.Ports;

public sealed class PortSpecTests
{
    [Theory]
    [InlineData("80", "", null, 80, "tcp")]
    [InlineData("8080:80", "", 8080, 80, "tcp")]
    [InlineData("8080:80/udp", "", 8080, 80, "udp")]
    [InlineData("127.0.0.1:8080:80", "127.0.0.1", 8080, 80, "tcp")]
    [InlineData("127.0.0.1::80/UDP", "127.0.0.1", null, 80, "udp")]
    [InlineData("[::1]:8080:80", "::1", 8080, 80, "tcp")]
    [InlineData("[2001:DB8:0::1]:8080:80/udp", "2001:db8::1", 8080, 80, "udp")]
    [InlineData("[::]::80", "::", null, 80, "tcp")]
    [InlineData("[2001:db8::1]:80", "2001:db8::1", null, 80, "tcp")]
    [InlineData("53:53/udp", "", 53, 53, "udp")]
    public void Parse_ValidSpec_GivesOneBinding(string text, string hostIp, int? hostPort, int containerPort, string protocol)
    {
        var spec = Assert.Single(PortSpec.Parse(text));

        Assert.Equal(new PortSpec(hostIp, hostPort, containerPort, protocol), spec);
    }

    [Fact]
    public void Parse_Range_GivesOneBindingPerPort()
    {
        var specs = PortSpec.Parse("8080-8082:80-82");

        Assert.Equal([(8080, 80), (8081, 81), (8082, 82)], specs.Select(s => (s.HostPort!.Value, s.ContainerPort)));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("80x", "container port '80x'")]
    [InlineData("0", "container port '0'")]
    [InlineData("65536", "container port '65536'")]
    [InlineData("8080:80/sctp", "protocol 'sctp'")]
    [InlineData("1.2.3:8080:80", "host address '1.2.3'")]
    [InlineData("300.1.1.1:8080:80", "host address '300.1.1.1'")]
    [InlineData("::1:8080:80", "write it in brackets, [::1]:8080:80")]
    [InlineData("2001:db8::1:8080:80", "write it in brackets, [2001:db8::1]:8080:80")]
    [InlineData("[1.2.3.4]:8080:80", "not an IPv6 address")]
    [InlineData("[::1:8080:80", "never closed with ']'")]
    [InlineData("::1]:8080:80", "']' without '['")]
    [InlineData("[]:8080:80", "hold no host address")]
    [InlineData("[::1]8080:80", "must be followed by ':'")]
    [InlineData("[::1]", "must be followed by ':'")]
    [InlineData("[::1]:", "no port after the host address [::1]")]
    [InlineData("[fe80::1%eth0]:8080:80", "has a zone")]
    [InlineData("[2001:db8::g]:8080:80", "host address '2001:db8::g' is not an IPv6 address")]
    [InlineData("[::1]:8080:80:90", "after the bracketed host address")]
    [InlineData("[::1]:1:2:3:4", "after the bracketed host address")]
    [InlineData("[::1]:x:80", "host port 'x'")]
    [InlineData("8080-8081:80", "differ in length")]
    [InlineData("8082-8080:80-82", "ends before it starts")]
    [InlineData("a:b:c:d", "expected [HOSTIP:][HOSTPORT:]PORT")]
    public void Parse_BadSpec_ThrowsNamingSpecAndPart(string text, string why)
    {
        var error = Assert.Throws<FormatException>(() => PortSpec.Parse(text));

        Assert.Contains($"'{text}'", error.Message, StringComparison.Ordinal);
        Assert.Contains(why, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToEngine_GroupsBindingsByPortKey()
    {
        var specs = PortSpec.Parse("8080:80").Concat(PortSpec.Parse("127.0.0.1:9090:80")).Concat(PortSpec.Parse("53/udp"));

        var (exposed, bindings) = PortSpec.ToEngine(specs);

        Assert.Equal(["53/udp", "80/tcp"], exposed.Keys.Order(StringComparer.Ordinal));
        Assert.Equal([("", "8080"), ("127.0.0.1", "9090")], bindings["80/tcp"].Select(b => (b.HostIp, b.HostPort)));
        Assert.Equal("", Assert.Single(bindings["53/udp"]).HostPort);
    }

    [Theory]
    [InlineData("80/tcp", 80, "tcp")]
    [InlineData("53/udp", 53, "udp")]
    [InlineData("443", 443, "tcp")]
    public void ParseKey_EngineKey_Reads(string key, int port, string protocol)
    {
        Assert.Equal((port, protocol), PortSpec.ParseKey(key));
    }

    [Theory]
    [InlineData("80/icmp")]
    [InlineData("http/tcp")]
    [InlineData("70000/tcp")]
    public void ParseKey_BadKey_ThrowsNamingIt(string key)
    {
        var error = Assert.Throws<FormatException>(() => PortSpec.ParseKey(key));

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }
}
