using Netstack.Api.Contracts.Containers;
using Netstack.Core;
using Netstack.Daemon.Containers;
using Netstack.Daemon.Mapping;
using PortBinding = Netstack.Api.Contracts.Containers.PortBinding;
using Xunit;

namespace Netstack.Api.Tests.Daemon;

public sealed class MappingTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("10m", "2026-11-22T11:50:00Z")]
    [InlineData("1h30m", "2026-11-22T10:30:00Z")]
    [InlineData("1700000000", "2023-11-14T22:13:20Z")]
    [InlineData("2026-01-02T03:04:05Z", "2026-01-02T03:04:05Z")]
    public void ParseUntil_EngineForms(string value, string expected)
    {
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), FilterMapper.ParseUntil(value, Now));
    }

    [Theory]
    [InlineData("yesterday")]
    [InlineData("10x")]
    [InlineData("")]
    public void ParseUntil_Garbage_IsNull(string value)
    {
        Assert.Null(FilterMapper.ParseUntil(value, Now));
    }

    [Fact]
    public void ToPortRequests_EngineBindings_BecomeRuntimeRequests()
    {
        var bindings = new Dictionary<string, List<PortBinding>>
        {
            ["80/tcp"] = [new PortBinding { HostIp = "127.0.0.1", HostPort = "8080" }, new PortBinding { HostPort = "" }],
            ["53/udp"] = [new PortBinding { HostPort = "5353" }],
        };

        var requests = ContainerService.ToPortRequests(bindings);

        Assert.Equal(
            [(80, "tcp", "127.0.0.1", 8080), (80, "tcp", null, 0), (53, "udp", null, 5353)],
            requests.Select(r => (r.ContainerPort, r.Protocol, r.HostIp, r.HostPort)));
    }

    [Theory]
    [InlineData("80/sctp", "", "", "HostConfig.PortBindings")]
    [InlineData("80/tcp", "", "99999", "HostConfig.PortBindings[80/tcp].HostPort")]
    [InlineData("80/tcp", "1.2.3", "8080", "HostConfig.PortBindings[80/tcp].HostIp")]
    public void ToPortRequests_BadBinding_NamesTheField(string key, string hostIp, string hostPort, string field)
    {
        var bindings = new Dictionary<string, List<PortBinding>> { [key] = [new PortBinding { HostIp = hostIp, HostPort = hostPort }] };

        var error = Assert.Throws<InvalidParameterException>(() => ContainerService.ToPortRequests(bindings));
        Assert.Equal(field, error.Field);
    }

    [Fact]
    public void NetworkSpec_FromRequest_EmptyDriverTakesTheDefault()
    {
        var spec = NetworkMapper.ToSpec(new Api.Contracts.Networks.NetworkCreateRequest { Name = "web", Driver = "" });

        Assert.Equal("bridge", spec.Driver);
        Assert.Empty(spec.Ipam.Pools);
    }
}
