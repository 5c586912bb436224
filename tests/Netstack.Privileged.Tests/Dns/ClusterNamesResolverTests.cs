using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Netstack.Controller;
using Netstack.Core;
using Netstack.Daemon.Dns;
using Netstack.Dns.Names;
using Netstack.TestKit;
using Xunit;

namespace Netstack.Privileged.Tests.Dns;

/// <summary>
/// Service discovery across hosts, asked by real clients: node A's resolver runs in a real sandbox
/// namespace on 127.0.0.11 and serves A's name table; a container on node B (the other side of the
/// shared in-memory gossip tables) is resolved by dig and glibc inside that sandbox, and stops
/// resolving when B fails or the container goes.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ClusterNamesResolverTests : IAsyncLifetime
{
    private const string Overlay = "00000000000000000000000000000000000000000000000000000000000000o1";
    private const string Asker = "sandbox-a1";

    private readonly InMemoryDriverTables _tables = new();
    private readonly EndpointEventController _a = Controller("node-a");
    private readonly EndpointEventController _b = Controller("node-b");
    private readonly DnsNameTable _namesA = new();
    private readonly DnsNameTable _namesB = new();
    private DnsNameFeed _feedA = null!;
    private DnsNameFeed _feedB = null!;
    private ClusterNames _clusterA = null!;
    private ClusterNames _clusterB = null!;
    private TestNamespace _sandbox = null!;
    private SandboxDnsHost _host = null!;

    public async Task InitializeAsync()
    {
        _feedA = new DnsNameFeed(_a, _namesA);
        _feedB = new DnsNameFeed(_b, _namesB);
        await _feedA.StartAsync();
        await _feedB.StartAsync();
        _clusterA = new ClusterNames(_a, _tables.Node("node-a"), _namesA, NullLogger<ClusterNames>.Instance);
        _clusterB = new ClusterNames(_b, _tables.Node("node-b"), _namesB, NullLogger<ClusterNames>.Instance);
        await _clusterA.StartAsync(CancellationToken.None);
        await _clusterB.StartAsync(CancellationToken.None);
        _a.Join(Overlay, Asker, "client1", "10.1.0.2");
        _sandbox = TestNamespace.Create();
        try
        {
            _host = SandboxDnsHost.Start(_sandbox, _namesA, Asker, forward: false, eth0: IPAddress.Parse("10.1.0.2"));
        }
        catch
        {
            _sandbox.Dispose();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        try
        {
            await _host.DisposeAsync();
            await _clusterA.StopAsync(CancellationToken.None);
            await _clusterB.StopAsync(CancellationToken.None);
            _feedA.Dispose();
            _feedB.Dispose();
        }
        finally
        {
            _sandbox.Dispose();
        }
    }

    [PrivilegedFact]
    public async Task RemoteContainer_ResolvedInSandbox_GoneWhenItsNodeFails_BackOnRecovery_GoneWhenItLeaves()
    {
        var web = _b.Join(Overlay, "sandbox-b1", "web", "10.1.0.3", "fd01::3", "www");

        Assert.True(await EventuallyAsync(() => Dig("web", "A") == "10.1.0.3"), $"dig web on node A: {_host.Exec("dig", "@127.0.0.11", "web", "+time=2", "+tries=1").Output}");
        Assert.Equal("fd01::3", Dig("www", "AAAA"));
        Assert.Equal("web.", _host.Exec("dig", "@127.0.0.11", "-x", "10.1.0.3", "+short", "+time=2", "+tries=1").Output.Trim());
        var getent = _host.Exec("getent", "ahostsv4", "www");
        Assert.True(getent.ExitCode == 0 && getent.Output.Contains("10.1.0.3", StringComparison.Ordinal), $"getent ahostsv4 www: {getent.ExitCode}\n{getent.Output}");

        _tables.Fail("node-b");
        Assert.True(await EventuallyAsync(() => NotAnswered("web")), "web still answered after node B failed");
        Assert.Equal("10.1.0.2", Dig("client1", "A"));

        _tables.Recover("node-b");
        Assert.True(await EventuallyAsync(() => Dig("web", "A") == "10.1.0.3"), "web not answered after node B recovered");

        _b.Leave(web);
        Assert.True(await EventuallyAsync(() => NotAnswered("web")), "web still answered after it left");
        Assert.True(NotAnswered("www"));
    }

    private string Dig(string name, string type) =>
        _host.Exec("dig", "@127.0.0.11", name, type, "+short", "+time=2", "+tries=1").Output.Trim();

    /// <summary>The sandbox forwards nothing (internal), so a name it does not know is SERVFAIL, with no address.</summary>
    private bool NotAnswered(string name)
    {
        var output = _host.Exec("dig", "@127.0.0.11", name, "+time=2", "+tries=1").Output;
        return output.Contains("status: SERVFAIL", StringComparison.Ordinal) && !output.Contains("10.1.0.3", StringComparison.Ordinal);
    }

    private static EndpointEventController Controller(string node)
    {
        var controller = new EndpointEventController(node);
        controller.AddNetwork(Overlay, "ov1", NetworkScope.Global);
        return controller;
    }

    private static async Task<bool> EventuallyAsync(Func<bool> condition, int seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < deadline)
        {
            if (condition())
            {
                return true;
            }
            await Task.Delay(20);
        }
        return condition();
    }
}
