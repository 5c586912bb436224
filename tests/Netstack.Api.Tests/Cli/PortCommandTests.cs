using Netstack.Api.Contracts.Containers;
using Netstack.Cli.Commands.Containers;
using Xunit;

namespace Netstack.Api.Tests.Cli;

public sealed class PortCommandTests
{
    private static readonly Dictionary<string, List<PortBinding>?> Ports = new()
    {
        ["8080/tcp"] = [new PortBinding { HostIp = "0.0.0.0", HostPort = "9090" }, new PortBinding { HostIp = "::", HostPort = "9090" }],
        ["53/udp"] = [new PortBinding { HostIp = "127.0.0.1", HostPort = "5353" }],
        ["443/tcp"] = null, // exposed, not published
        ["80/tcp"] = [new PortBinding { HostIp = "", HostPort = "8080" }],
    };

    [Fact]
    public void Lines_AllPorts_InPortOrder_IPv6InBrackets_EmptyHostIpIsEveryAddress()
    {
        Assert.Equal(
            ["53/udp -> 127.0.0.1:5353", "80/tcp -> 0.0.0.0:8080", "8080/tcp -> 0.0.0.0:9090", "8080/tcp -> [::]:9090"],
            PortCommand.Lines(Ports, null));
    }

    [Fact]
    public void Lines_OnePort_OnlyItsHostSides()
    {
        Assert.Equal(["0.0.0.0:9090", "[::]:9090"], PortCommand.Lines(Ports, "8080/tcp"));
        Assert.Empty(PortCommand.Lines(Ports, "443/tcp"));
        Assert.Empty(PortCommand.Lines(Ports, "8080/udp"));
    }

    [Theory]
    [InlineData("80", "80/tcp")]
    [InlineData("53/UDP", "53/udp")]
    [InlineData("65535/tcp", "65535/tcp")]
    public void Normalize_AcceptsDockersForms(string spec, string expected) => Assert.Equal(expected, PortCommand.Normalize(spec));

    [Theory]
    [InlineData("0")]
    [InlineData("65536")]
    [InlineData("80/sctp")]
    [InlineData("http")]
    [InlineData("80/tcp/x")]
    [InlineData("-1")]
    public void Normalize_RefusesOtherInput_NamingIt(string spec)
    {
        var error = Assert.Throws<FormatException>(() => PortCommand.Normalize(spec));
        Assert.Contains($"'{spec}'", error.Message, StringComparison.Ordinal);
    }
}
