using System.Net;
using Netstack.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace Netstack.Privileged.Tests.Plugin;

/// <summary>
/// A stock dockerd using netstackd as its network and IPAM plugin (<c>-d netstack --ipam-driver
/// netstack</c>), both in one namespace host: containers run by dockerd talk over our bridge,
/// find each other by Docker's own DNS, publish ports through our rules, survive a netstackd
/// <c>kill -9</c>, and leave nothing of ours behind once dockerd removed them.
/// </summary>
public sealed class DockerPluginInteropTests(ITestOutputHelper output)
{
    [PrivilegedFact]
    public async Task StockDockerd_NetstackNetwork_ContainersTalkByAddressAndName_PortsAnswer_SurvivesNetstackdCrash_CleansUp()
    {
        await using var lab = await DockerPluginLab.StartAsync();
        try
        {
            var docker = lab.Dockerd;
            var linksBefore = lab.Links();
            var addressesBefore = lab.Addresses();

            var networkId = docker.DockerOk("network", "create", "-d", "netstack", "--ipam-driver", "netstack", "--subnet", "10.60.0.0/24", "pn");
            Assert.Equal("netstack netstack 10.60.0.0/24", docker.DockerOk("network", "inspect", "-f", "{{.Driver}} {{.IPAM.Driver}} {{(index .IPAM.Config 0).Subnet}}", "pn"));
            // Our bridge, named after dockerd's network id, with the gateway dockerd asked our IPAM for.
            var bridge = "br-" + networkId[..12];
            Assert.Contains(bridge, lab.Links());
            Assert.Contains("10.60.0.1/24 on " + bridge, lab.Addresses());

            docker.DockerOk("run", "-d", "--name", "c1", "--network", "pn", "busybox", "sleep", "3600");
            docker.DockerOk("run", "-d", "--name", "c2", "--network", "pn", "busybox", "sleep", "3600");
            var c2 = lab.AddressOf("c2", "pn");
            Assert.True(IPNetwork.Parse("10.60.0.0/24").Contains(c2), $"c2 has {c2}");
            Assert.True(lab.Ping("c1", c2.ToString()), "c1 pings c2 by address");
            Assert.True(lab.Ping("c1", "c2"), "c1 pings c2 by name (Docker's DNS)");
            Assert.True(lab.Ping("c2", "c1"), "c2 pings c1 by name");
            // dockerd moved the handed-over interface in and named it eth0.
            Assert.Contains("eth0", docker.DockerOk("exec", "c1", "ip", "-o", "link", "show"));

            docker.DockerOk("run", "-d", "--name", "web", "--network", "pn", "-p", "8080:80", "busybox", "httpd", "-f", "-p", "80", "-h", "/var/www");
            Assert.Matches(@"^HTTP/1\.[01] 200 ", await HttpGetEventuallyAsync(lab, IPAddress.Loopback, 8080));

            // A crash of netstackd in the middle: dockerd's containers keep their network, and the
            // restarted daemon (reconcile included) serves dockerd's next calls.
            await lab.Netstackd.KillHardAsync();
            await lab.Netstackd.LaunchAsync();
            Assert.True(lab.Ping("c1", "c2"), "c1 still pings c2 after netstackd was killed and restarted");
            Assert.Matches(@"^HTTP/1\.[01] 200 ", await lab.HttpGetAsync(IPAddress.Loopback, 8080));
            Assert.Contains(bridge, lab.Links());

            docker.DockerOk("network", "disconnect", "pn", "c2");
            Assert.False(lab.Ping("c1", c2.ToString()), "c2 is unreachable once disconnected");
            docker.DockerOk("network", "connect", "pn", "c2");
            Assert.True(lab.Ping("c1", "c2"), "c1 pings c2 by name after reconnect");

            docker.DockerOk("rm", "-f", "c1", "c2", "web");
            docker.DockerOk("network", "rm", "pn");

            Assert.Equal(linksBefore, lab.Links());
            Assert.Equal(addressesBefore, lab.Addresses());
            Assert.Empty(lab.ObjectRules());
            // dockerd released the pool through our IPAM: the same subnet can be had again.
            docker.DockerOk("network", "create", "-d", "netstack", "--ipam-driver", "netstack", "--subnet", "10.60.0.0/24", "pn2");
            docker.DockerOk("network", "rm", "pn2");
            Assert.Equal(linksBefore, lab.Links());
        }
        finally
        {
            output.WriteLine(lab.Logs);
        }
    }

    [PrivilegedFact]
    public async Task StockDockerd_Restart_ReleasesEndpointsThroughThePlugin_NetworkStays_ContainersRestartAndTalk()
    {
        await using var lab = await DockerPluginLab.StartAsync();
        try
        {
            var docker = lab.Dockerd;
            var linksBefore = lab.Links();
            var networkId = docker.DockerOk("network", "create", "-d", "netstack", "--ipam-driver", "netstack", "--subnet", "10.62.0.0/24", "pr");
            var bridge = "br-" + networkId[..12];
            docker.DockerOk("run", "-d", "--name", "r1", "--network", "pr", "busybox", "sleep", "3600");
            docker.DockerOk("run", "-d", "--name", "r2", "--network", "pr", "busybox", "sleep", "3600");
            Assert.True(lab.Ping("r1", "r2"), "r1 pings r2 before the restart");

            // No live-restore: dockerd stops the containers and leaves and deletes their endpoints through us.
            await docker.StopAsync(keepContainers: true);
            Assert.DoesNotContain(lab.Links(), l => l.StartsWith("nsv", StringComparison.Ordinal) || l.StartsWith("nsc", StringComparison.Ordinal));
            Assert.Contains(bridge, lab.Links());
            await docker.StartAsync();

            docker.DockerOk("start", "r1", "r2");
            Assert.True(lab.Ping("r1", "r2"), "r1 pings r2 by name after dockerd restarted");
            Assert.True(lab.Ping("r2", lab.AddressOf("r1", "pr").ToString()), "r2 pings r1 by address after dockerd restarted");

            docker.DockerOk("rm", "-f", "r1", "r2");
            docker.DockerOk("network", "rm", "pr");
            Assert.Equal(linksBefore, lab.Links());
            Assert.Empty(lab.ObjectRules());
        }
        finally
        {
            output.WriteLine(lab.Logs);
        }
    }

    [PrivilegedFact]
    public async Task StockDockerd_NetstackMacvlanNetwork_ContainerReachesTheSegment_AndLeavesNothing()
    {
        await using var lab = await DockerPluginLab.StartAsync();
        using var machine = TestNamespace.Create();
        try
        {
            // The segment: the host's "uplink" is a veth whose other end is a machine at 192.0.2.1.
            lab.Host.Ip("link", "add", "uplink", "type", "veth", "peer", "name", "eth0", "netns", machine.Name);
            lab.Host.Ip("link", "set", "uplink", "up");
            machine.Ip("addr", "add", "192.0.2.1/24", "dev", "eth0");
            machine.Ip("link", "set", "eth0", "up");
            var linksBefore = lab.Links();
            var docker = lab.Dockerd;

            docker.DockerOk("network", "create", "-d", "netstack", "--ipam-driver", "netstack", "--subnet", "192.0.2.0/24", "--gateway", "192.0.2.1",
                "-o", "netstack.driver=macvlan", "-o", "parent=uplink", "mv");
            docker.DockerOk("run", "-d", "--name", "m1", "--network", "mv", "busybox", "sleep", "3600");
            docker.DockerOk("run", "-d", "--name", "m2", "--network", "mv", "busybox", "sleep", "3600");

            Assert.True(lab.Ping("m1", "192.0.2.1"), "m1 reaches the machine on the segment through its macvlan");
            Assert.True(lab.Ping("m1", "m2"), "m1 pings m2 by name");
            docker.DockerOk("network", "disconnect", "mv", "m2");
            Assert.Equal(linksBefore.Length, lab.Links().Length);
            docker.DockerOk("rm", "-f", "m1", "m2");
            docker.DockerOk("network", "rm", "mv");
            Assert.Equal(linksBefore, lab.Links());
        }
        finally
        {
            output.WriteLine(lab.Logs);
        }
    }

    [PrivilegedFact]
    public async Task NetstacksOwnNetwork_AndDockerdsPluginNetwork_BothSurviveTheReconcileAfterKill9()
    {
        await using var lab = await DockerPluginLab.StartAsync();
        try
        {
            var linksBefore = lab.Links();
            var (exit, ownId, error) = await NetstackAsync(lab, "network", "create", "--subnet", "10.63.0.0/24", "own");
            Assert.True(exit == 0, error);
            var ownBridge = "br-" + ownId.Trim()[..12];
            var pluginBridge = "br-" + lab.Dockerd.DockerOk("network", "create", "-d", "netstack", "--ipam-driver", "netstack", "--subnet", "10.64.0.0/24", "pn")[..12];
            lab.Dockerd.DockerOk("run", "-d", "--name", "k1", "--network", "pn", "busybox", "sleep", "3600");
            var hostEnds = lab.Links().Where(l => l.StartsWith("nsv", StringComparison.Ordinal)).ToArray();
            Assert.Single(hostEnds);

            await lab.Netstackd.KillHardAsync();
            await lab.Netstackd.LaunchAsync();

            // The controller reconciled the bridge driver with its own network and, merged in, dockerd's.
            var links = lab.Links();
            Assert.Contains(ownBridge, links);
            Assert.Contains(pluginBridge, links);
            Assert.Equal(hostEnds, links.Where(l => l.StartsWith("nsv", StringComparison.Ordinal)).ToArray());
            Assert.True(lab.Ping("k1", "10.64.0.1"), "k1 still reaches its gateway on our bridge");

            Assert.Equal(0, (await NetstackAsync(lab, "network", "rm", "own")).Exit);
            lab.Dockerd.DockerOk("rm", "-f", "k1");
            lab.Dockerd.DockerOk("network", "rm", "pn");
            Assert.Equal(linksBefore, lab.Links());
            Assert.Empty(lab.ObjectRules());
        }
        finally
        {
            output.WriteLine(lab.Logs);
        }
    }

    private static async Task<(int Exit, string Out, string Err)> NetstackAsync(DockerPluginLab lab, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await Netstack.Cli.CliApp.RunAsync(["-H", lab.Netstackd.HostUri, .. args], new System.CommandLine.InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }

    [PrivilegedFact]
    public async Task StockDockerd_UnknownNetstackDriver_IsRefusedNamingIt_AndNothingIsMade()
    {
        await using var lab = await DockerPluginLab.StartAsync();
        try
        {
            var linksBefore = lab.Links();

            var (exit, _, error) = lab.Dockerd.Docker("network", "create", "-d", "netstack", "--ipam-driver", "netstack", "--subnet", "10.61.0.0/24", "-o", "netstack.driver=weave", "bad");

            Assert.NotEqual(0, exit);
            Assert.Contains("netstack.driver", error, StringComparison.Ordinal);
            Assert.Contains("weave", error, StringComparison.Ordinal);
            Assert.Equal(linksBefore, lab.Links());
            Assert.Empty(lab.ObjectRules());
            // dockerd gave the pool back after the driver refused: the subnet is free.
            lab.Dockerd.DockerOk("network", "create", "-d", "netstack", "--ipam-driver", "netstack", "--subnet", "10.61.0.0/24", "good");
            lab.Dockerd.DockerOk("network", "rm", "good");
        }
        finally
        {
            output.WriteLine(lab.Logs);
        }
    }

    [PrivilegedFact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task PluginSocket_IsCreated0660InDockersPluginDirectory_AndRemovedOnStop()
    {
        await using var lab = await DockerPluginLab.StartAsync();

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite, File.GetUnixFileMode(lab.PluginSocket));
        await lab.Netstackd.StopAsync();

        Assert.False(File.Exists(lab.PluginSocket));
    }

    /// <summary>The first request right after <c>docker run -d</c> may come before httpd listens: a readiness wait, not a timing assertion.</summary>
    private static async Task<string?> HttpGetEventuallyAsync(DockerPluginLab lab, IPAddress address, int port)
    {
        string? answer = null;
        for (var i = 0; i < 20 && answer is null; i++)
        {
            answer = await lab.HttpGetAsync(address, port);
            if (answer is null)
            {
                await Task.Delay(250);
            }
        }
        return answer;
    }
}
