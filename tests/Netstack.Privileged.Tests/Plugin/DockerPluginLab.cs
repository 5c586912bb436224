using System.Net;
using System.Net.Sockets;
using System.Text;
using Netstack.Privileged.Tests.Api;
using Netstack.TestKit;

namespace Netstack.Privileged.Tests.Plugin;

/// <summary>
/// A namespace host with netstackd serving its plugin socket in a directory of the test's, and a
/// stock dockerd in the same host that discovers that directory as its <c>/run/docker/plugins</c>.
/// Dispose stops dockerd (its containers first), then netstackd, then removes the directory and
/// the namespace with whatever is left in it.
/// </summary>
internal sealed class DockerPluginLab : IAsyncDisposable
{
    private DockerPluginLab(TestNamespace host, string directory)
    {
        Host = host;
        Directory = directory;
        var plugins = Path.Combine(directory, "plugins");
        System.IO.Directory.CreateDirectory(plugins);
        var namespacePath = Path.Combine(TestNamespace.Directory, host.Name);
        Netstackd = new NetstackdInstance(namespacePath, Path.Combine(directory, "n"), "--dns", "127.0.0.1", "--plugin-socket", Path.Combine(plugins, "netstack.sock"));
        Dockerd = new DockerdProcess(namespacePath, Path.Combine(directory, "d"), plugins);
    }

    public TestNamespace Host { get; }

    public string Directory { get; }

    public NetstackdInstance Netstackd { get; }

    public DockerdProcess Dockerd { get; }

    public string PluginSocket => Path.Combine(Directory, "plugins", "netstack.sock");

    public static async Task<DockerPluginLab> StartAsync()
    {
        var host = TestNamespace.Create();
        host.Ip("link", "set", "lo", "up");
        // Short: unix socket paths (containerd's among them) must fit sockaddr_un's 108 bytes.
        var directory = Path.Combine("/tmp", host.Name);
        System.IO.Directory.CreateDirectory(directory);
        var lab = new DockerPluginLab(host, directory);
        try
        {
            await lab.Netstackd.LaunchAsync();
            await lab.Dockerd.StartAsync();
            lab.Dockerd.DockerOk("import", Runtime.BusyboxImage.Path, "busybox");
            return lab;
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }
    }

    /// <summary>A container's address on a network, from dockerd's inspect.</summary>
    public IPAddress AddressOf(string container, string network) =>
        IPAddress.Parse(Dockerd.DockerOk("inspect", "-f", $"{{{{(index .NetworkSettings.Networks \"{network}\").IPAddress}}}}", container));

    /// <summary>True when <paramref name="container"/> gets an answer to a ping of <paramref name="target"/> (an address or a name for Docker's DNS).</summary>
    public bool Ping(string container, string target) => Dockerd.Docker("exec", container, "ping", "-c", "3", "-W", "2", target).Exit == 0;

    /// <summary>Names of the links in the host namespace.</summary>
    public string[] Links() => [.. Host.IpJson("link", "show").EnumerateArray().Select(l => l.GetProperty("ifname").GetString()!).Order(StringComparer.Ordinal)];

    /// <summary>Every address in the host namespace, as ADDRESS/PREFIX on IFNAME.</summary>
    public string[] Addresses() =>
        [.. Host.IpJson("addr", "show").EnumerateArray().SelectMany(l => l.GetProperty("addr_info").EnumerateArray()
            .Select(a => $"{a.GetProperty("local").GetString()}/{a.GetProperty("prefixlen").GetInt32()} on {l.GetProperty("ifname").GetString()}")).Order(StringComparer.Ordinal)];

    /// <summary>The host namespace's rules that belong to a network or an endpoint (owner comments <c>netstack:bridge-net:</c>, <c>netstack:bridge-ep:</c>).</summary>
    public string[] ObjectRules() =>
        [.. Firewall.TestFirewall.RulesText(Host).Split('\n').Where(l => l.Contains("bridge-net:", StringComparison.Ordinal) || l.Contains("bridge-ep:", StringComparison.Ordinal))];

    /// <summary>An HTTP GET from the host namespace; the status line, or null when nothing answered.</summary>
    public async Task<string?> HttpGetAsync(IPAddress address, int port)
    {
        using var socket = Host.Namespace.Run(() => new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await socket.ConnectAsync(new IPEndPoint(address, port), timeout.Token);
            await socket.SendAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.0\r\nHost: test\r\n\r\n"), SocketFlags.None, timeout.Token);
            var buffer = new byte[4096];
            var answer = new StringBuilder();
            int n;
            while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0)
            {
                answer.Append(Encoding.ASCII.GetString(buffer, 0, n));
            }
            return answer.ToString().Split("\r\n")[0];
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException)
        {
            return null;
        }
    }

    /// <summary>Both daemons' output, for a failing test's report.</summary>
    public string Logs => $"---- netstackd\n{Netstackd.Log}\n---- dockerd\n{Dockerd.Log}";

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Dockerd.StopAsync();
        }
        finally
        {
            Dockerd.Dispose();
            await Netstackd.StopAsync();
            await Netstackd.KillHardAsync();
            Netstackd.Dispose();
            Netstackd.RemoveState();
            if (System.IO.Directory.Exists(Directory))
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
            Host.Dispose();
        }
    }
}
