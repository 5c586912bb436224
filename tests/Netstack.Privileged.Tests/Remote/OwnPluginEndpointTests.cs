using System.CommandLine;
using Netstack.Cli;
using Netstack.Privileged.Tests.Api;
using Netstack.TestKit;
using Xunit;

namespace Netstack.Privileged.Tests.Remote;

/// <summary>
/// The remote-driver client against netstackd's own plugin endpoint: daemon A serves its drivers
/// and IPAM as the plugin <c>nsplug</c>; daemon B, in the same host namespace, finds that socket in
/// its plugin directory and uses it for <c>-d nsplug --ipam-driver nsplug</c>. The bridge and the
/// veth are A's (handed over in the host namespace), the sandbox and its eth0 are B's.
/// </summary>
public sealed class OwnPluginEndpointTests
{
    [PrivilegedFact]
    public async Task SecondDaemonUsesTheFirstAsRemoteDriverAndIpam_ConnectPingDisconnectRm_NothingLeft()
    {
        using var host = TestNamespace.Create();
        host.Ip("link", "set", "lo", "up");
        var path = Path.Combine(TestNamespace.Directory, host.Name);
        var plugins = Path.Combine("/tmp", host.Name + "-p");
        Directory.CreateDirectory(plugins);
        using var a = new NetstackdInstance(path, Path.Combine("/tmp", host.Name + "-a"), "--dns", "127.0.0.1", "--plugin-socket", Path.Combine(plugins, "nsplug.sock"));
        using var b = new NetstackdInstance(path, Path.Combine("/tmp", host.Name + "-b"), "--dns", "127.0.0.1", "--plugin-socket-dir", plugins);
        try
        {
            Directory.CreateDirectory(a.Directory);
            Directory.CreateDirectory(b.Directory);
            await a.LaunchAsync();
            await b.LaunchAsync();

            var create = await Cli(b, "network", "create", "-d", "nsplug", "--ipam-driver", "nsplug", "--subnet", "10.62.0.0/24", "pn");
            Assert.True(create.Exit == 0, create.Err + "\n" + a.Log + "\n" + b.Log);
            var sandbox = (await Cli(b, "sandbox", "create", "s")).Out.Trim();
            var connect = await Cli(b, "network", "connect", "pn", "s");
            Assert.True(connect.Exit == 0, connect.Err + "\n" + a.Log + "\n" + b.Log);

            var eth0 = NetstackdProcess.IpJsonIn(sandbox, "-d", "addr", "show", "eth0")[0];
            Assert.Contains(eth0.GetProperty("addr_info").EnumerateArray(), i => i.GetProperty("local").GetString() == "10.62.0.2");
            // The gateway is on A's bridge in the shared host namespace.
            // Up to three tries: a link just brought up drops what it sends until linkwatch activates it.
            Assert.True(Enumerable.Range(0, 3).Any(_ => NetstackdProcess.Ping(sandbox, "10.62.0.1")), "the sandbox cannot reach the plugin network's gateway");

            Assert.Equal(0, (await Cli(b, "network", "disconnect", "pn", "s")).Exit);
            var rm = await Cli(b, "network", "rm", "pn");
            Assert.True(rm.Exit == 0, rm.Err);
            var links = host.Ip("-j", "link", "show");
            Assert.DoesNotContain("nsc", links, StringComparison.Ordinal);
            Assert.DoesNotContain("10.62.0", host.Ip("-j", "addr", "show"), StringComparison.Ordinal);
            Assert.DoesNotContain("br-", links, StringComparison.Ordinal);
        }
        finally
        {
            await b.StopAsync();
            await a.StopAsync();
            b.RemoveState();
            a.RemoveState();
            Directory.Delete(plugins, recursive: true);
        }
    }

    private static async Task<(int Exit, string Out, string Err)> Cli(NetstackdInstance daemon, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await CliApp.RunAsync(["-H", daemon.HostUri, .. args], new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }
}
