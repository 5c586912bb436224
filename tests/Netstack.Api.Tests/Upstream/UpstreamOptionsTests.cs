using Microsoft.Extensions.Configuration;
using Netstack.Api.Contracts.Upstream;
using Netstack.Cli.Commands.Containers;
using Netstack.Core;
using Netstack.Daemon.Hosting;
using Netstack.Daemon.Upstream;
using Netstack.Upstream.Mapping;
using Xunit;

namespace Netstack.Api.Tests.Upstream;

/// <summary><c>--upstream-portmap</c> and its companions, the opt-in labels, and how <c>netstack port</c> prints upstream mappings.</summary>
public sealed class UpstreamOptionsTests
{
    private static UpstreamOptions Bind(params string[] args)
    {
        var commandLine = new DaemonCommandLine();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(commandLine.ToConfiguration(commandLine.Root.Parse(args))).Build();
        var options = new UpstreamOptions();
        configuration.Bind(options);
        return options;
    }

    [Fact]
    public void NoFlag_IsOff()
    {
        Assert.Equal(UpstreamMode.Off, Bind().ParsedMode());
    }

    [Theory]
    [InlineData("auto", UpstreamMode.Auto)]
    [InlineData("upnp", UpstreamMode.Upnp)]
    [InlineData("natpmp", UpstreamMode.NatPmp)]
    [InlineData("pcp", UpstreamMode.Pcp)]
    [InlineData("off", UpstreamMode.Off)]
    public void Flag_GivesTheMode(string value, UpstreamMode expected)
    {
        var options = Bind("--upstream-portmap", value, "--upstream-portmap-lease", "30");
        Assert.True(new UpstreamOptionsValidator().Validate(null, options).Succeeded);
        Assert.Equal(expected, options.ParsedMode());
        Assert.Equal(TimeSpan.FromSeconds(30), options.ParsedLease());
    }

    [Theory]
    [InlineData("--upstream-portmap", "igd", "upstream-portmap \"igd\": expected auto, upnp, natpmp, pcp or off")]
    [InlineData("--upstream-portmap-lease", "2", "upstream-portmap-lease \"2\": expected seconds, 4 to 86400")]
    [InlineData("--upstream-portmap-lease", "1h", "upstream-portmap-lease \"1h\"")]
    [InlineData("--upstream-portmap-conflict", "steal", "upstream-portmap-conflict \"steal\": expected next or fail")]
    [InlineData("--upstream-portmap-gateway", "router.lan", "upstream-portmap-gateway \"router.lan\"")]
    public void BadValue_IsNamed(string flag, string value, string expected)
    {
        var result = new UpstreamOptionsValidator().Validate(null, Bind(flag, value));
        Assert.True(result.Failed);
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void DaemonJson_SameKeys_FlagsWin()
    {
        var json = """{"upstream-portmap": "upnp", "upstream-portmap-lease": "120", "upstream-portmap-conflict": "fail"}""";
        var commandLine = new DaemonCommandLine();
        var configuration = new ConfigurationBuilder()
            .AddJsonStream(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json)))
            .AddInMemoryCollection(commandLine.ToConfiguration(commandLine.Root.Parse(["--upstream-portmap", "pcp"])))
            .Build();
        var options = new UpstreamOptions();
        configuration.Bind(options);
        Assert.Equal(UpstreamMode.Pcp, options.ParsedMode());
        Assert.Equal(TimeSpan.FromSeconds(120), options.ParsedLease());
        Assert.Equal(ConflictPolicy.Fail, options.ParsedConflict());
    }

    [Fact]
    public void Labels_ContainerWinsOverNetwork()
    {
        var on = new Dictionary<string, string> { [UpstreamLabels.Enable] = "true" };
        var off = new Dictionary<string, string> { [UpstreamLabels.Enable] = "false" };
        var none = new Dictionary<string, string>();
        Assert.True(UpstreamLabels.OptedIn(on, null));
        Assert.True(UpstreamLabels.OptedIn(none, on));
        Assert.False(UpstreamLabels.OptedIn(off, on));
        Assert.False(UpstreamLabels.OptedIn(none, none));
    }

    [Fact]
    public void Labels_BadValue_IsA400NamingTheLabel()
    {
        var e = Assert.Throws<InvalidParameterException>(() => UpstreamLabels.Validate(new Dictionary<string, string> { [UpstreamLabels.Conflict] = "maybe" }));
        Assert.Contains("netstack.upstream-portmap.conflict", e.Message, StringComparison.Ordinal);
        Assert.Contains("maybe", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PortLines_MappedPendingAndFailed()
    {
        var ports = new Dictionary<string, List<UpstreamPortBinding>>
        {
            ["80/tcp"] = [new UpstreamPortBinding { HostPort = 8080, State = "mapped", Protocol = "pcp", ExternalIp = "100.200.17.1", ExternalPort = 8080 }],
            ["53/udp"] = [new UpstreamPortBinding { HostPort = 5353, State = "pending", Error = "no router answered" }],
        };
        Assert.Equal(["53/udp -> upstream pending: no router answered", "80/tcp -> 100.200.17.1:8080 (upstream pcp)"], PortCommand.UpstreamLines(ports, null));
        Assert.Equal(["100.200.17.1:8080 (upstream pcp)"], PortCommand.UpstreamLines(ports, "80/tcp"));
        Assert.Empty(PortCommand.UpstreamLines(null, null));
    }
}
