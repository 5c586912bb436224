using System.Net;
using Netstack.Dns.Names;
using Netstack.Dns.Resolver;
using Netstack.Dns.Sandbox;
using Netstack.Linux;
using Netstack.TestKit;

namespace Netstack.Privileged.Tests.Dns;

/// <summary>
/// A test namespace playing a container sandbox: loopback up, our resolver started inside it on
/// 127.0.0.11 with its redirect rules applied in the namespace's own nat table, and a resolv.conf
/// for <c>ip netns exec</c> (which bind-mounts /etc/netns/NAME/resolv.conf over /etc/resolv.conf).
/// </summary>
internal sealed class SandboxDnsHost : IAsyncDisposable
{
    private readonly string _etcDirectory;

    private SandboxDnsHost(TestNamespace sandbox, SandboxDnsServer server, string etcDirectory)
    {
        Sandbox = sandbox;
        Server = server;
        _etcDirectory = etcDirectory;
    }

    public TestNamespace Sandbox { get; }

    public SandboxDnsServer Server { get; }

    public static SandboxDnsHost Start(TestNamespace sandbox, DnsNameTable names, string sandboxId, IReadOnlyList<IPEndPoint>? upstreams = null, bool forward = true, IPAddress? eth0 = null)
    {
        if (eth0 is not null)
        {
            // A container has an address besides loopback; glibc's AI_ADDRCONFIG skips IPv4 lookups without one.
            // A veth pair with both ends inside (the kernel here has no dummy driver).
            sandbox.Netlink.LinkAdd(new VethSpec("eth0", "eth0-peer"));
            sandbox.Netlink.AddrAdd("eth0", new InterfaceAddress(eth0, 24));
            sandbox.Netlink.LinkSetUp("eth0");
            sandbox.Netlink.LinkSetUp("eth0-peer");
        }

        sandbox.Netlink.LinkSetUp("lo");

        var options = new EmbeddedResolverOptions
        {
            SandboxId = sandboxId,
            UpstreamServers = upstreams ?? [],
            ForwardExternal = forward,
            // Generous under a loaded CI machine; the silent-upstream test waits for it through dig's +time.
            UpstreamTimeout = TimeSpan.FromSeconds(3),
        };
        var server = SandboxDnsServer.Start(sandbox.Namespace, options, names);
        var etc = Path.Combine("/etc/netns", sandbox.Name);
        try
        {
            ApplyRules(sandbox, server.Redirect!.ToIptablesRestore());
            Directory.CreateDirectory(etc);
            File.WriteAllText(Path.Combine(etc, "resolv.conf"), "nameserver 127.0.0.11\noptions ndots:0\n");
        }
        catch
        {
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
            if (Directory.Exists(etc))
            {
                Directory.Delete(etc, recursive: true);
            }

            throw;
        }

        return new SandboxDnsHost(sandbox, server, etc);
    }

    /// <summary>Runs a command inside the sandbox and returns (exit code, stdout + stderr).</summary>
    public (int ExitCode, string Output) Exec(string program, params string[] args)
    {
        var (code, output, error) = Sandbox.TryExec(program, args);
        return (code, output + error);
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        if (Directory.Exists(_etcDirectory))
        {
            Directory.Delete(_etcDirectory, recursive: true);
        }
    }

    private static void ApplyRules(TestNamespace sandbox, string rules)
    {
        // The product hands DnsRedirect to the firewall layer; the test applies the same batch itself,
        // inside its own namespace only.
        var info = new System.Diagnostics.ProcessStartInfo("ip") { RedirectStandardInput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "netns", "exec", sandbox.Name, "iptables-restore", "--noflush" })
        {
            info.ArgumentList.Add(arg);
        }

        using var process = System.Diagnostics.Process.Start(info)!;
        process.StandardInput.Write(rules);
        process.StandardInput.Close();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"iptables-restore in {sandbox.Name} failed: {error}\n{rules}");
        }
    }
}
