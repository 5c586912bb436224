using Netstack.Cli;
using Netstack.Cli.Commands.Networks;
using Xunit;

namespace Netstack.Api.Tests.Cli;

public sealed class NetworkCreateArgumentsTests
{
    private static Api.Contracts.Networks.NetworkCreateRequest Build(params string[] args)
    {
        var parse = CliApp.Parse(new CliContext(_ => null), ["network", "create", .. args]);
        Assert.Empty(parse.Errors);
        return NetworkCreateCommand.BuildRequest(parse);
    }

    [Fact]
    public void Create_AllFlags_BuildTheEngineRequest()
    {
        var request = Build(
            "-d", "bridge", "--subnet", "10.20.0.0/24", "--gateway", "10.20.0.1", "--ip-range", "10.20.0.128/25",
            "--aux-address", "router=10.20.0.2", "-o", "com.docker.network.bridge.name=br-web", "--label", "tier=front",
            "--internal", "--attachable", "web");

        Assert.Equal("web", request.Name);
        Assert.Equal("bridge", request.Driver);
        Assert.True(request.Internal);
        Assert.True(request.Attachable);
        var pool = Assert.Single(request.Ipam!.Config!);
        Assert.Equal(("10.20.0.0/24", "10.20.0.1", "10.20.0.128/25"), (pool.Subnet, pool.Gateway, pool.IpRange));
        Assert.Equal("10.20.0.2", pool.AuxiliaryAddresses!["router"]);
        Assert.Equal("br-web", request.Options!["com.docker.network.bridge.name"]);
        Assert.Equal("front", request.Labels!["tier"]);
    }

    [Fact]
    public void Create_TwoSubnets_EachGatewayGoesToTheSubnetThatHoldsIt()
    {
        var request = Build("--subnet", "10.1.0.0/24", "--subnet", "fd00:1::/64", "--gateway", "fd00:1::1", "--gateway", "10.1.0.254", "--ipv6", "dual");

        Assert.Equal([("10.1.0.0/24", "10.1.0.254"), ("fd00:1::/64", "fd00:1::1")], request.Ipam!.Config!.Select(c => (c.Subnet, c.Gateway)));
        Assert.True(request.EnableIPv6);
    }

    [Fact]
    public void Create_NoSubnet_SendsNoPoolsAndBridgeDriver()
    {
        var request = Build("plain");

        Assert.Empty(request.Ipam!.Config!);
        Assert.Equal("bridge", request.Driver);
    }

    [Theory]
    [InlineData("--gateway", "10.9.0.1", "no --subnet contains it")]
    [InlineData("--ip-range", "10.9.0.0/25", "no --subnet contains it")]
    [InlineData("--aux-address", "x=10.9.0.3", "no --subnet contains it")]
    public void Create_AddressOutsideEverySubnet_FailsNamingFlagAndValue(string flag, string value, string why)
    {
        var parse = CliApp.Parse(new CliContext(_ => null), "network", "create", "--subnet", "10.1.0.0/24", flag, value, "web");

        var error = Assert.Throws<FormatException>(() => NetworkCreateCommand.BuildRequest(parse));
        Assert.Contains($"'{value}' for {flag}", error.Message, StringComparison.Ordinal);
        Assert.Contains(why, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_OverlappingSubnets_Fail()
    {
        var parse = CliApp.Parse(new CliContext(_ => null), "network", "create", "--subnet", "10.1.0.0/16", "--subnet", "10.1.2.0/24", "web");

        var error = Assert.Throws<FormatException>(() => NetworkCreateCommand.BuildRequest(parse));
        Assert.Contains("'10.1.2.0/24' for --subnet", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--subnet", "10.0.0/24")]
    [InlineData("--subnet", "10.0.0.0/33")]
    [InlineData("--subnet", "banana")]
    [InlineData("--gateway", "10.0.0")]
    [InlineData("--ip-range", "10.0.0.0")]
    [InlineData("-o", "novalue")]
    [InlineData("--aux-address", "host=10.0.0.300")]
    [InlineData("--scope", "planet")]
    public async Task Create_BadFlagValue_ExitsOneNamingFlagAndValue(string flag, string value)
    {
        var (exit, _, err) = await CliRunner.RunAsync("-H", "unix:///nonexistent/netstack.sock", "network", "create", flag, value, "web");

        Assert.Equal(1, exit);
        Assert.Contains($"'{value}'", err, StringComparison.Ordinal);
        Assert.Contains(flag.TrimStart('-').Length > 1 ? flag : "--opt", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnyCommand_NoDaemon_ExitsOneSayingWhere()
    {
        var (exit, _, err) = await CliRunner.RunAsync("-H", "unix:///nonexistent/netstack.sock", "network", "ls");

        Assert.Equal(1, exit);
        Assert.Contains("cannot connect to netstackd at unix:///nonexistent/netstack.sock", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Host_NotUnix_ExitsOneNamingTheValue()
    {
        var (exit, _, err) = await CliRunner.RunAsync("-H", "tcp://1.2.3.4:2375", "network", "ls");

        Assert.Equal(1, exit);
        Assert.Contains("'tcp://1.2.3.4:2375'", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Host_FromEnvironment_WhenNoFlag()
    {
        var context = new CliContext(name => name == "NETSTACK_HOST" ? "unix:///tmp/x.sock" : null);
        var parse = CliApp.Parse(context, "network", "ls");

        Assert.Equal("/tmp/x.sock", context.Address(parse).SocketPath);
        Assert.Equal("/run/netstack/netstack.sock", new CliContext(_ => null).Address(parse).SocketPath);
    }
}
