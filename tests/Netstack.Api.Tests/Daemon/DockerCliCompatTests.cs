using System.Text.Json;
using Xunit;

namespace Netstack.Api.Tests.Daemon;

/// <summary>
/// The stock docker CLI speaks to netstackd's HTTP surface: version negotiation, JSON field names,
/// error messages. The controller behind it is the fake; the privileged tests repeat this with the
/// real one.
/// </summary>
public sealed class DockerCliCompatTests : IAsyncLifetime
{
    private DaemonFixture _daemon = null!;
    private string _config = null!;

    public async Task InitializeAsync()
    {
        _daemon = await DaemonFixture.StartAsync();
        _config = Path.Combine(_daemon.Directory, "docker-config");
        Directory.CreateDirectory(_config);
    }

    public async Task DisposeAsync() => await _daemon.DisposeAsync();

    private Task<(int Exit, string Out, string Err)> Docker(params string[] args) => DockerCli.RunAsync(_daemon.HostUri, _config, args);

    [DockerCliFact]
    public async Task NetworkVerbs_Work()
    {
        var create = await Docker("network", "create", "--subnet", "10.30.0.0/24", "--gateway", "10.30.0.1", "--ip-range", "10.30.0.128/25",
            "-o", "com.docker.network.bridge.enable_icc=false", "--label", "tier=front", "--internal", "web");
        Assert.True(create.Exit == 0, create.Err);
        var id = create.Out.Trim();

        var spec = _daemon.Controller.LastSpec!;
        Assert.True(spec.Internal);
        Assert.Equal(("10.30.0.0/24", "10.30.0.1", "10.30.0.128/25"), (spec.Ipam.Pools[0].Subnet, spec.Ipam.Pools[0].Gateway, spec.Ipam.Pools[0].IpRange));
        Assert.Equal("false", spec.Options["com.docker.network.bridge.enable_icc"]);
        Assert.Equal("front", spec.Labels["tier"]);

        var ls = await Docker("network", "ls");
        Assert.True(ls.Exit == 0, ls.Err);
        Assert.Contains(id[..12], ls.Out, StringComparison.Ordinal);
        Assert.Contains("web", ls.Out, StringComparison.Ordinal);

        var inspect = await Docker("network", "inspect", "web");
        Assert.True(inspect.Exit == 0, inspect.Err);
        using (var doc = JsonDocument.Parse(inspect.Out))
        {
            var network = doc.RootElement[0];
            Assert.Equal(id, network.GetProperty("Id").GetString());
            Assert.Equal("10.30.0.0/24", network.GetProperty("IPAM").GetProperty("Config")[0].GetProperty("Subnet").GetString());
            Assert.True(network.GetProperty("Internal").GetBoolean());
        }

        await _daemon.Controller.CreateSandboxAsync(new Core.SandboxSpec { Name = "box" });
        var connect = await Docker("network", "connect", "--ip", "10.30.0.200", "--alias", "db", "web", "box");
        Assert.True(connect.Exit == 0, connect.Err);
        Assert.Equal("10.30.0.200", _daemon.Controller.LastEndpointSpec!.IPv4Address);
        Assert.Contains("db", _daemon.Controller.LastEndpointSpec.Aliases);

        var disconnect = await Docker("network", "disconnect", "web", "box");
        Assert.True(disconnect.Exit == 0, disconnect.Err);

        var rm = await Docker("network", "rm", "web");
        Assert.True(rm.Exit == 0, rm.Err);
        var gone = await Docker("network", "inspect", "web");
        Assert.NotEqual(0, gone.Exit);
    }

    [DockerCliFact]
    public async Task Errors_ShowTheDaemonsMessage()
    {
        var missing = await Docker("network", "rm", "nosuch");
        var duplicate1 = await Docker("network", "create", "dup");
        var duplicate2 = await Docker("network", "create", "dup");

        Assert.NotEqual(0, missing.Exit);
        Assert.Contains("network \"nosuch\" not found", missing.Err, StringComparison.Ordinal);
        Assert.Equal(0, duplicate1.Exit);
        Assert.NotEqual(0, duplicate2.Exit);
        Assert.Contains("already exists", duplicate2.Err, StringComparison.Ordinal);
    }

    [DockerCliFact]
    public async Task Version_NegotiatesDownTo141()
    {
        var version = await Docker("version", "--format", "{{.Server.APIVersion}} {{.Server.Os}}");

        Assert.True(version.Exit == 0, version.Err);
        Assert.Equal("1.41 linux", version.Out.Trim());
    }
}
