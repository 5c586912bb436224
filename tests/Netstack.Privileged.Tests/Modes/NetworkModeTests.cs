using Netstack.Privileged.Tests.Api;
using Netstack.TestKit;
using Xunit;

namespace Netstack.Privileged.Tests.Modes;

/// <summary>
/// Network modes on real runc containers: host (the daemon's namespace host, never the machine's),
/// container:NAME (the owner's sandbox shared), sandbox:NAME (a sandbox made first), through our
/// CLI and the stock docker CLI; bad modes refused with nothing left behind.
/// </summary>
public sealed class NetworkModeTests
{
    private static async Task<string> Exec(NetstackdProcess daemon, string container, params string[] cmd)
    {
        var result = await daemon.NetstackAsync(["exec", container, .. cmd]);
        Assert.True(result.Exit == 0, $"exec {container} {string.Join(' ', cmd)}: {result.Exit} {result.Err}\n{daemon.Log}");
        return result.Out;
    }

    private static async Task<int> CountContainersAsync(NetstackdProcess daemon)
    {
        using var client = daemon.Client();
        return (await client.ListContainersAsync(all: true)).Count;
    }

    private static async Task<int> CountSandboxesAsync(NetstackdProcess daemon)
    {
        using var client = daemon.Client();
        return (await client.ListSandboxesAsync()).Count;
    }

    [PrivilegedFact]
    public async Task HostMode_SharesTheDaemonsHostNamespace_CopiesItsFiles_IgnoresPortsWithAWarning()
    {
        await using var daemon = await NetstackdProcess.StartAsync();
        await daemon.ImportBusyboxAsync();
        // A link only the daemon's host namespace has: the container sees it if, and only if, it shares that namespace.
        daemon.Host.Ip("link", "add", "nshost0", "type", "bridge");

        var run = await daemon.NetstackAsync("run", "-d", "--name", "onhost", "--network", "host", "-p", "8080:80", "busybox", "sleep", "600");
        Assert.True(run.Exit == 0, run.Err + daemon.Log);
        Assert.Contains("WARNING: Published ports are discarded when using host network mode", run.Err, StringComparison.Ordinal);
        Assert.Contains("nshost0", await Exec(daemon, "onhost", "ip", "link"), StringComparison.Ordinal);
        Assert.Equal(File.ReadAllText("/etc/hosts"), await Exec(daemon, "onhost", "cat", "/etc/hosts"));
        Assert.Equal(File.ReadAllText("/etc/resolv.conf"), await Exec(daemon, "onhost", "cat", "/etc/resolv.conf"));
        Assert.Equal(System.Net.Dns.GetHostName(), (await Exec(daemon, "onhost", "hostname")).Trim());
        Assert.Equal(0, await CountSandboxesAsync(daemon));
        using (var client = daemon.Client())
        {
            var inspect = await client.InspectContainerAsync("onhost");
            Assert.Equal("host", inspect.HostConfig.NetworkMode);
            Assert.Empty(inspect.NetworkSettings.Ports);
        }

        // The stock docker CLI: the same mode, the same warning.
        var docker = daemon.Docker("run", "-d", "--name", "dhost", "--network", "host", "-p", "8081:80", "busybox", "sleep", "600");
        Assert.True(docker.Exit == 0, docker.Err + daemon.Log);
        Assert.Contains("Published ports are discarded when using host network mode", docker.Err, StringComparison.Ordinal);
        var link = daemon.Docker("exec", "dhost", "ip", "link");
        Assert.True(link.Exit == 0 && link.Out.Contains("nshost0", StringComparison.Ordinal), link.Out + link.Err);
        Assert.Equal("host", daemon.Docker("inspect", "--format", "{{.HostConfig.NetworkMode}}", "dhost").Out.Trim());

        // A daemon restart keeps them running in the host's namespace; stop and rm leave the host's links alone.
        await daemon.StopAsync();
        await daemon.LaunchAsync();
        Assert.Contains("nshost0", await Exec(daemon, "onhost", "ip", "link"), StringComparison.Ordinal);
        Assert.Equal(0, (await daemon.NetstackAsync("rm", "-f", "onhost", "dhost")).Exit);
        Assert.Contains(daemon.Host.IpJson("link", "show").EnumerateArray(), l => l.GetProperty("ifname").GetString() == "nshost0");
    }

    [PrivilegedFact]
    public async Task ContainerMode_JoinerSharesTheOwnersSandbox_SeesItsConnects_LosesTheNetworkWhenTheOwnerStops()
    {
        await using var daemon = await NetstackdProcess.StartAsync();
        await daemon.ImportBusyboxAsync();
        Assert.Equal(0, (await daemon.NetstackAsync("network", "create", "--subnet", "10.96.0.0/24", "front")).Exit);
        Assert.Equal(0, (await daemon.NetstackAsync("network", "create", "--subnet", "10.97.0.0/24", "back")).Exit);
        var owner = await daemon.NetstackAsync("run", "-d", "--name", "owner", "--network", "front", "busybox", "sleep", "600");
        Assert.True(owner.Exit == 0, owner.Err + daemon.Log);
        var joiner = await daemon.NetstackAsync("run", "-d", "--name", "joiner", "--network", "container:owner", "busybox", "sleep", "600");
        Assert.True(joiner.Exit == 0, joiner.Err + daemon.Log);
        var byId = daemon.Docker("run", "-d", "--name", "dockerjoiner", "--network", "container:" + owner.Out.Trim()[..12], "busybox", "sleep", "600");
        Assert.True(byId.Exit == 0, byId.Err + daemon.Log);

        // Same interfaces and addresses, same names, same resolver.
        Assert.Contains("inet 10.96.0.", await Exec(daemon, "joiner", "ip", "-4", "addr"), StringComparison.Ordinal);
        Assert.Equal(await Exec(daemon, "owner", "hostname"), await Exec(daemon, "joiner", "hostname"));
        Assert.Equal(await Exec(daemon, "owner", "cat", "/etc/resolv.conf"), await Exec(daemon, "joiner", "cat", "/etc/resolv.conf"));
        var dockerHostname = daemon.Docker("exec", "dockerjoiner", "hostname");
        Assert.Equal((await Exec(daemon, "owner", "hostname")).Trim(), dockerHostname.Out.Trim());
        Assert.Contains("10.96.0.", await Exec(daemon, "joiner", "nslookup", "owner"), StringComparison.Ordinal);
        using (var client = daemon.Client())
        {
            var inspect = await client.InspectContainerAsync("joiner");
            Assert.Equal("container:" + owner.Out.Trim(), inspect.HostConfig.NetworkMode);
        }
        Assert.Equal(1, await CountSandboxesAsync(daemon));

        // A connect on the owner is seen by both; a connect of the joiner is refused.
        Assert.Equal(0, (await daemon.NetstackAsync("network", "connect", "back", "owner")).Exit);
        Assert.Contains("inet 10.97.0.", await Exec(daemon, "joiner", "ip", "-4", "addr"), StringComparison.Ordinal);
        var ownerHosts = await Exec(daemon, "owner", "cat", "/etc/hosts");
        Assert.Contains("10.97.0.", ownerHosts, StringComparison.Ordinal);
        Assert.Equal(ownerHosts, await Exec(daemon, "joiner", "cat", "/etc/hosts"));
        var connectJoiner = await daemon.NetstackAsync("network", "connect", "back", "joiner");
        Assert.True(connectJoiner.Exit != 0 && connectJoiner.Err.Contains("joiner", StringComparison.Ordinal), connectJoiner.Err);

        // After a daemon restart both still run in the one namespace.
        await daemon.StopAsync();
        await daemon.LaunchAsync();
        Assert.Contains("inet 10.96.0.", await Exec(daemon, "joiner", "ip", "-4", "addr"), StringComparison.Ordinal);

        // The owner stops: its endpoints go, the joiner keeps running with loopback only.
        Assert.Equal(0, (await daemon.NetstackAsync("stop", "-t", "1", "owner")).Exit);
        var after = await Exec(daemon, "joiner", "ip", "-4", "addr");
        Assert.DoesNotContain("10.96.0.", after, StringComparison.Ordinal);
        Assert.DoesNotContain("10.97.0.", after, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1", after, StringComparison.Ordinal);
        // And a joiner cannot start while its owner is down.
        Assert.Equal(0, (await daemon.NetstackAsync("stop", "-t", "1", "joiner")).Exit);
        var restart = await daemon.NetstackAsync("start", "joiner");
        Assert.True(restart.Exit != 0 && restart.Err.Contains("owner", StringComparison.Ordinal) && restart.Err.Contains("not running", StringComparison.Ordinal), restart.Err);
    }

    [PrivilegedFact]
    public async Task ContainerMode_BadInput_NamesTheFlagAndValue_LeavesNothingBehind()
    {
        await using var daemon = await NetstackdProcess.StartAsync();
        await daemon.ImportBusyboxAsync();
        Assert.Equal(0, (await daemon.NetstackAsync("network", "create", "--subnet", "10.96.0.0/24", "front")).Exit);
        Assert.Equal(0, (await daemon.NetstackAsync("run", "-d", "--name", "owner", "--network", "front", "busybox", "sleep", "600")).Exit);
        Assert.Equal(0, (await daemon.NetstackAsync("run", "-d", "--name", "stopped", "--network", "front", "busybox", "true")).Exit);
        using (var waiter = daemon.Client())
        {
            await waiter.WaitContainerAsync("stopped");
        }
        var (containers, sandboxes) = (await CountContainersAsync(daemon), await CountSandboxesAsync(daemon));

        (string[] Args, string[] Expected)[] cases =
        [
            (["--network", "container:nosuch"], ["HostConfig.NetworkMode", "container:nosuch", "no such container"]),
            (["--network", "container:stopped"], ["container:stopped", "not running"]),
            (["--name", "selfish", "--network", "container:selfish"], ["container:selfish", "its own network"]),
            (["--network", "container:owner", "-p", "80:80"], ["HostConfig.PortBindings", "port publishing"]),
            (["--network", "container:owner", "--network", "front"], ["NetworkingConfig.EndpointsConfig", "front"]),
            (["--network", "container:owner", "--hostname", "other"], ["Hostname", "other"]),
            (["--network", "container:"], ["HostConfig.NetworkMode", "container:"]),
            (["--network", "sandbox:nosuch"], ["HostConfig.NetworkMode", "sandbox:nosuch", "no such sandbox"]),
            (["--network", "sandbox:owner"], ["sandbox:owner", "container:owner"]),
            (["--network", "nosuchmode"], ["nosuchmode"]),
        ];
        foreach (var (args, expected) in cases)
        {
            var result = await daemon.NetstackAsync(["run", "-d", .. args, "busybox", "sleep", "600"]);
            Assert.True(result.Exit != 0, $"{string.Join(' ', args)} was accepted");
            foreach (var text in expected)
            {
                Assert.True(result.Err.Contains(text, StringComparison.Ordinal), $"{string.Join(' ', args)}: \"{result.Err}\" lacks \"{text}\"");
            }
        }
        var docker = daemon.Docker("run", "-d", "--network", "container:nosuch", "busybox", "true");
        Assert.True(docker.Exit != 0 && docker.Err.Contains("container:nosuch", StringComparison.Ordinal), docker.Err);
        Assert.Equal(containers, await CountContainersAsync(daemon));
        Assert.Equal(sandboxes, await CountSandboxesAsync(daemon));
    }

    [PrivilegedFact]
    public async Task SandboxMode_ContainerRunsInASandboxWiredFirst_SandboxOutlivesIt()
    {
        await using var daemon = await NetstackdProcess.StartAsync();
        await daemon.ImportBusyboxAsync();
        Assert.Equal(0, (await daemon.NetstackAsync("network", "create", "--subnet", "10.96.0.0/24", "front")).Exit);
        Assert.Equal(0, (await daemon.NetstackAsync("sandbox", "create", "pod1")).Exit);
        var connect = await daemon.NetstackAsync("network", "connect", "--ip", "10.96.0.50", "front", "pod1");
        Assert.True(connect.Exit == 0, connect.Err + daemon.Log);
        Assert.Equal(0, (await daemon.NetstackAsync("run", "-d", "--name", "peer", "--network", "front", "busybox", "sleep", "600")).Exit);

        var run = await daemon.NetstackAsync("run", "-d", "--name", "inpod", "--network", "sandbox:pod1", "busybox", "sleep", "600");
        Assert.True(run.Exit == 0, run.Err + daemon.Log);
        Assert.Contains("inet 10.96.0.50/", await Exec(daemon, "inpod", "ip", "-4", "addr"), StringComparison.Ordinal);
        Assert.Contains("10.96.0.", await Exec(daemon, "inpod", "nslookup", "peer"), StringComparison.Ordinal);
        Assert.Equal(0, daemon.Docker("run", "-d", "--name", "dockerpod", "--network", "sandbox:pod1", "busybox", "sleep", "600").Exit);
        var docker = daemon.Docker("exec", "dockerpod", "ip", "-4", "addr");
        Assert.True(docker.Exit == 0 && docker.Out.Contains("10.96.0.50", StringComparison.Ordinal), docker.Out + docker.Err + daemon.Log);
        Assert.Equal(0, daemon.Docker("rm", "-f", "dockerpod").Exit);

        Assert.Equal(0, (await daemon.NetstackAsync("rm", "-f", "inpod")).Exit);
        using var client = daemon.Client();
        var pod = Assert.Single(await client.ListSandboxesAsync(), s => s.Name == "pod1");
        Assert.Contains(pod.Endpoints, e => e.IPv4Address.StartsWith("10.96.0.50", StringComparison.Ordinal));
    }
}
