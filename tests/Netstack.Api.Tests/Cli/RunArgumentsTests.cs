using Netstack.Cli;
using Netstack.Cli.Commands.Containers;
using Netstack.Cli.Parsing;
using Xunit;

namespace Netstack.Api.Tests.Cli;

public sealed class RunArgumentsTests
{
    [Fact]
    public void Normalize_Run_StopsFlagsAtTheImage()
    {
        var args = RunArguments.Normalize(["run", "-d", "--name", "web", "-p", "8080:80", "busybox", "httpd", "-f", "-p", "80"]);

        Assert.Equal(["run", "-d", "--name", "web", "-p", "8080:80", "--", "busybox", "httpd", "-f", "-p", "80"], args);
    }

    [Fact]
    public void Normalize_GlobalHostBeforeVerb_IsSkipped()
    {
        var args = RunArguments.Normalize(["-H", "unix:///x.sock", "exec", "-e", "A=1", "web", "ls", "-l"]);

        Assert.Equal(["-H", "unix:///x.sock", "exec", "-e", "A=1", "--", "web", "ls", "-l"], args);
    }

    [Fact]
    public void Normalize_OtherVerbs_Untouched()
    {
        string[] args = ["network", "create", "--subnet", "10.0.0.0/24", "web"];

        Assert.Same(args, RunArguments.Normalize(args));
    }

    [Theory]
    [InlineData("none")]
    [InlineData("host")]
    [InlineData("container:web")]
    [InlineData("sandbox:pod1")]
    public void Run_NetworkMode_GoesInNetworkModeOnly(string mode)
    {
        var parse = CliApp.Parse(new CliContext(_ => null), "run", "-d", "--network", mode, "busybox", "true");
        Assert.Empty(parse.Errors);

        var request = RunCommand.BuildRequest(parse, _ => null);

        Assert.Equal(mode, request.HostConfig!.NetworkMode);
        Assert.Null(request.NetworkingConfig);
    }

    [Fact]
    public void Run_Flags_BuildTheEngineRequest()
    {
        var parse = CliApp.Parse(new CliContext(_ => null),
            "run", "-d", "--rm", "--name", "api", "--hostname", "api1", "--network", "front", "--network", "back", "--ip", "10.20.0.5",
            "--network-alias", "www", "-p", "127.0.0.1:8080:80", "-p", "53:53/udp", "--dns", "10.0.0.53", "-e", "A=1", "-e", "HOME_FROM_SHELL",
            "busybox", "httpd", "-f", "-p", "80");
        Assert.Empty(parse.Errors);

        var request = RunCommand.BuildRequest(parse, name => name == "HOME_FROM_SHELL" ? "/root" : null);

        Assert.Equal("busybox", request.Image);
        Assert.Equal(["httpd", "-f", "-p", "80"], request.Cmd!);
        Assert.Equal(["A=1", "HOME_FROM_SHELL=/root"], request.Env!);
        Assert.Equal("api1", request.Hostname);
        Assert.Equal("front", request.HostConfig!.NetworkMode);
        Assert.True(request.HostConfig.AutoRemove);
        Assert.Equal(["10.0.0.53"], request.HostConfig.Dns!);
        Assert.Equal(("127.0.0.1", "8080"), (request.HostConfig.PortBindings!["80/tcp"][0].HostIp, request.HostConfig.PortBindings["80/tcp"][0].HostPort));
        Assert.Equal("53", request.HostConfig.PortBindings["53/udp"][0].HostPort);
        Assert.Equal(["53/udp", "80/tcp"], request.ExposedPorts!.Keys.Order(StringComparer.Ordinal));
        var endpoints = request.NetworkingConfig!.EndpointsConfig!;
        Assert.Equal("10.20.0.5", endpoints["front"].IpamConfig!.IPv4Address);
        Assert.Equal(["www"], endpoints["front"].Aliases!);
        Assert.Null(endpoints["back"].IpamConfig);
    }

    [Fact]
    public void Run_EnvWithoutValueUnsetInShell_IsDropped()
    {
        Assert.Null(RunCommand.BuildEnv(["NOT_SET"], _ => null));
    }

    [Fact]
    public void Run_IpWithoutNetwork_Fails()
    {
        var parse = CliApp.Parse(new CliContext(_ => null), "run", "--ip", "10.0.0.5", "busybox");

        var error = Assert.Throws<FormatException>(() => RunCommand.BuildRequest(parse, _ => null));
        Assert.Contains("--ip", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("80:80x")]
    [InlineData("1.2.3:80:80")]
    [InlineData("80/sctp")]
    public async Task Run_BadPortSpec_ExitsOneNamingTheSpec(string spec)
    {
        var (exit, _, err) = await CliRunner.RunAsync("-H", "unix:///nonexistent/netstack.sock", "run", "-p", spec, "busybox");

        Assert.Equal(1, exit);
        Assert.Contains($"invalid port spec '{spec}'", err, StringComparison.Ordinal);
        Assert.Contains("--publish", err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("busybox", "busybox", "latest")]
    [InlineData("busybox:1.36", "busybox", "1.36")]
    [InlineData("registry:5000/busybox", "registry:5000/busybox", "latest")]
    [InlineData("registry:5000/busybox:v2", "registry:5000/busybox", "v2")]
    public void ImageReference_Parse_SplitsTag(string reference, string repository, string tag)
    {
        Assert.Equal((repository, tag), ImageReference.Parse(reference));
    }

    [Theory]
    [InlineData(":tag")]
    [InlineData("name:")]
    public void ImageReference_Bad_ThrowsNamingIt(string reference)
    {
        var error = Assert.Throws<FormatException>(() => ImageReference.Parse(reference));
        Assert.Contains($"'{reference}'", error.Message, StringComparison.Ordinal);
    }
}
