using System.CommandLine;
using System.Text.Json;
using Netstack.Api.Client;
using Netstack.Cli;
using Netstack.TestKit;

namespace Netstack.Privileged.Tests.Api;

/// <summary>
/// A real netstackd process whose host is a fresh test namespace (<c>nsenter --net</c>, so its
/// bridges and iptables rules stay there), with its socket, root and exec-root in a temp directory.
/// Dispose stops it and removes everything: leftover sandbox namespaces, the netns mount, the
/// directory and the host namespace (with the bridges and rules in it).
/// </summary>
internal sealed class NetstackdProcess : NetstackdHandle
{
    // Resolvers forward names they do not know to the daemon's --dns when a container names
    // none; never to the machine's resolver: 127.0.0.1 is the sandbox's own loopback, where
    // nothing listens, so such queries fail fast inside the test's namespaces.
    private NetstackdProcess(TestNamespace host, string directory, string[] flags)
        : base(new NetstackdInstance(Path.Combine(TestNamespace.Directory, host.Name), directory, ["--dns", "127.0.0.1", .. flags]))
    {
        Host = host;
    }

    public TestNamespace Host { get; }

    public string SocketPath => Daemon.SocketPath;

    public string ExecRoot => Daemon.ExecRoot;

    public string Root => Daemon.Root;

    public int Pid => Daemon.Pid;

    /// <summary>Starts netstackd on a fresh host namespace; <paramref name="flags"/> are added to its command line.</summary>
    public static Task<NetstackdProcess> StartAsync(params string[] flags) => StartAsync(null, flags);

    /// <summary>Starts netstackd on a fresh host namespace with <paramref name="environment"/> set from its first launch on.</summary>
    public static Task<NetstackdProcess> StartWithEnvironmentAsync(IReadOnlyDictionary<string, string> environment, params string[] flags) =>
        StartAsync(null, environment, flags);

    /// <summary>
    /// As <see cref="StartAsync(string[])"/>, with <paramref name="prepare"/> run on the host namespace
    /// before the daemon starts (links and routes the daemon must find at its start, such as a LAN towards a router).
    /// </summary>
    public static Task<NetstackdProcess> StartAsync(Action<TestNamespace>? prepare, params string[] flags) => StartAsync(prepare, null, flags);

    /// <summary>
    /// Starts netstackd on a fresh host namespace, <paramref name="prepare"/> run on it first, with
    /// <paramref name="environment"/> set from its first launch on.
    /// </summary>
    public static async Task<NetstackdProcess> StartAsync(Action<TestNamespace>? prepare, IReadOnlyDictionary<string, string>? environment, params string[] flags)
    {
        var host = TestNamespace.Create();
        host.Ip("link", "set", "lo", "up");
        try
        {
            prepare?.Invoke(host);
        }
        catch
        {
            host.Dispose();
            throw;
        }
        // Short: a unix socket path must fit sockaddr_un's 108 bytes.
        var directory = Path.Combine("/tmp", host.Name);
        System.IO.Directory.CreateDirectory(directory);
        var process = new NetstackdProcess(host, directory, flags);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            process.Environment[name] = value;
        }
        return await LaunchedAsync(process);
    }

    /// <summary>Imports the test run's busybox image (built once) as "busybox".</summary>
    public async Task ImportBusyboxAsync()
    {
        var import = await NetstackAsync("image", "import", Runtime.BusyboxImage.Path, "busybox");
        if (import.Exit != 0)
        {
            throw new InvalidOperationException($"netstack image import exited {import.Exit}: {import.Err}");
        }
    }

    public ApiClient Client() => new(DaemonAddress.Parse(HostUri));

    /// <summary>Runs our CLI in-process against this daemon.</summary>
    public async Task<(int Exit, string Out, string Err)> NetstackAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await CliApp.RunAsync(["-H", HostUri, .. args], new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }

    /// <summary>Runs the stock docker client against this daemon, with a private config directory.</summary>
    public (int Exit, string Out, string Err) Docker(params string[] args)
    {
        var config = Path.Combine(Directory, "docker-config");
        System.IO.Directory.CreateDirectory(config);
        return TestNamespace.TryRun("env", ["-u", "DOCKER_HOST", "-u", "DOCKER_CONTEXT", "DOCKER_CONFIG=" + config, DockerPath, "-H", HostUri, .. args]);
    }

    public static string DockerPath { get; } = new[] { "/usr/local/bin/docker", "/usr/bin/docker" }.FirstOrDefault(File.Exists) ?? "docker";

    /// <summary><c>ip -j ARGS</c> inside a sandbox (its namespace file).</summary>
    public static JsonElement IpJsonIn(string sandboxKey, params string[] args)
    {
        var text = TestNamespace.Run("nsenter", ["--net=" + sandboxKey, "ip", "-j", .. args]);
        using var doc = JsonDocument.Parse(string.IsNullOrWhiteSpace(text) ? "[]" : text);
        return doc.RootElement.Clone();
    }

    /// <summary>One ping from inside a sandbox; true when it was answered. Packets stay in the test's namespaces.</summary>
    public static bool Ping(string sandboxKey, string address) =>
        TestNamespace.TryRun("nsenter", "--net=" + sandboxKey, "busybox", "ping", "-c", "1", "-W", "2", address).ExitCode == 0;

    /// <summary>Names of the bridge links in the daemon's host namespace.</summary>
    public IReadOnlyList<string> Bridges() =>
        [.. Host.IpJson("link", "show", "type", "bridge").EnumerateArray().Select(l => l.GetProperty("ifname").GetString()!)];

    public override async ValueTask DisposeAsync()
    {
        // First through the API, so the daemon tears down what it made (containers, sandboxes, networks).
        if (Daemon.Running)
        {
            try
            {
                using var client = Client();
                foreach (var container in await client.ListContainersAsync(all: true))
                {
                    await client.RemoveContainerAsync(container.Id, force: true);
                }
                foreach (var sandbox in await client.ListSandboxesAsync())
                {
                    await client.RemoveSandboxAsync(sandbox.Id);
                }
                foreach (var network in await client.ListNetworksAsync())
                {
                    await client.RemoveNetworkAsync(network.Id);
                }
            }
            catch (ApiException)
            {
                // Keep cleaning below: the kernel-level sweep removes what the API could not.
            }
            await Daemon.StopAsync();
        }
        await Daemon.KillHardAsync();
        Daemon.Dispose();

        // Containers outlive a killed daemon by design: end them through runc's own state.
        var runcRoot = Path.Combine(ExecRoot, "runc");
        if (System.IO.Directory.Exists(runcRoot))
        {
            foreach (var state in System.IO.Directory.GetDirectories(runcRoot))
            {
                TestNamespace.TryRun("runc", "--root", runcRoot, "delete", "--force", Path.GetFileName(state));
            }
        }
        Daemon.RemoveState();
        Host.Dispose();
    }
}
