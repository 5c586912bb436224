using System.Diagnostics;
using System.Text;
using Netstack.TestKit;

namespace Netstack.Privileged.Tests.Upstream;

/// <summary>
/// A home router on namespaces: the daemon's host namespace has a LAN link to a "router" namespace
/// running Debian's miniupnpd (UPnP IGD, NAT-PMP and PCP), whose WAN link goes to an "internet"
/// namespace. miniupnpd programs its own nftables table inside the router namespace only (loaded
/// here with <c>nft -f</c> in that namespace; the machine's firewall is never touched) and is
/// started and stopped by its own pid. SSDP multicast stays on the LAN link.
/// <para>The WAN side is 100.200.17.0/24: miniupnpd refuses to map on an external address in a
/// reserved or documentation range (RFC 1918, RFC 5737, CGNAT 100.64/10, ...), so the lab uses a
/// public-looking one, which exists only inside these namespaces.</para>
/// </summary>
internal sealed class RouterLab : IDisposable
{
    public const string HostLan = "10.77.0.2";
    public const string RouterLan = "10.77.0.1";
    public const string RouterWan = "100.200.17.1";
    public const string InternetAddress = "100.200.17.2";
    public const string Table = "netstack_router";

    private readonly StringBuilder _log = new();
    private Process? _miniupnpd;
    private bool _neighbour;

    private RouterLab(TestNamespace host, TestNamespace router, TestNamespace internet, string directory)
    {
        Host = host;
        Router = router;
        Internet = internet;
        Directory = directory;
    }

    public TestNamespace Host { get; }

    public TestNamespace Router { get; }

    public TestNamespace Internet { get; }

    public string Directory { get; }

    public string MiniupnpdLog
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Builds the router and internet namespaces and the LAN towards <paramref name="host"/> (whose default route becomes the router).</summary>
    public static RouterLab Create(TestNamespace host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var router = TestNamespace.Create();
        TestNamespace? internet = null;
        try
        {
            internet = TestNamespace.Create();
            host.Ip("link", "add", "lan0", "type", "veth", "peer", "name", "lan1", "netns", router.Name);
            router.Ip("link", "add", "wan0", "type", "veth", "peer", "name", "wan1", "netns", internet.Name);
            host.Ip("addr", "add", HostLan + "/24", "dev", "lan0");
            host.Ip("link", "set", "lan0", "up");
            host.Ip("route", "add", "default", "via", RouterLan);
            router.Ip("link", "set", "lo", "up");
            router.Ip("addr", "add", RouterLan + "/24", "dev", "lan1");
            router.Ip("link", "set", "lan1", "up");
            router.Ip("addr", "add", RouterWan + "/24", "dev", "wan0");
            router.Ip("link", "set", "wan0", "up");
            internet.Ip("link", "set", "lo", "up");
            internet.Ip("addr", "add", InternetAddress + "/24", "dev", "wan1");
            internet.Ip("link", "set", "wan1", "up");
            router.Exec("sysctl", "-qw", "net.ipv4.ip_forward=1");
            var directory = Path.Combine("/tmp", router.Name);
            System.IO.Directory.CreateDirectory(directory);
            var lab = new RouterLab(host, router, internet, directory);
            lab.LoadRuleset();
            return lab;
        }
        catch
        {
            internet?.Dispose();
            router.Dispose();
            throw;
        }
    }

    /// <summary>
    /// miniupnpd's table: forwarding dropped unless established or opened by a mapping (its
    /// <c>miniupnpd</c> chain), DNAT from its <c>prerouting_miniupnpd</c> chain; a counter of
    /// port-mapping traffic from the LAN (NAT-PMP/PCP to 5351, SSDP to 1900) for the "nothing sent" checks.
    /// </summary>
    private void LoadRuleset()
    {
        var path = Path.Combine(Directory, "router.nft");
        File.WriteAllText(path, $$"""
            table inet {{Table}} {
                counter portmap_queries { }
                chain input {
                    type filter hook input priority 0; policy accept;
                    iif "lan1" udp dport { 1900, 5351 } counter name portmap_queries
                }
                chain forward {
                    type filter hook forward priority 0; policy drop;
                    ct state established,related accept
                    jump miniupnpd
                }
                chain miniupnpd {
                }
                chain prerouting {
                    type nat hook prerouting priority -100; policy accept;
                    jump prerouting_miniupnpd
                }
                chain postrouting {
                    type nat hook postrouting priority 100; policy accept;
                    jump postrouting_miniupnpd
                }
                chain prerouting_miniupnpd {
                }
                chain postrouting_miniupnpd {
                }
            }

            """);
        Router.Exec("nft", "-f", path);
    }

    /// <summary>Packets of port-mapping protocols that reached the router from the LAN.</summary>
    public long PortmapQueries()
    {
        var text = Router.Exec("nft", "list", "counter", "inet", Table, "portmap_queries");
        var match = System.Text.RegularExpressions.Regex.Match(text, @"packets (\d+)");
        return match.Success ? long.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : throw new InvalidOperationException("no counter in: " + text);
    }

    /// <summary>Starts miniupnpd in the foreground (<c>-d</c>) in the router namespace, and waits until it listens.</summary>
    public void StartMiniupnpd()
    {
        var config = Path.Combine(Directory, "miniupnpd.conf");
        // system_uptime=no: the NAT-PMP/PCP epoch starts over with the daemon, so a restart is a reboot to clients.
        // No lease_file: a restarted miniupnpd has forgotten every mapping, as a rebooted router.
        File.WriteAllText(config, $"""
            ext_ifname=wan0
            listening_ip=lan1
            http_port=5000
            enable_natpmp=yes
            enable_upnp=yes
            secure_mode=yes
            system_uptime=no
            min_lifetime=4
            max_lifetime=86400
            clean_ruleset_interval=2
            notify_interval=3600
            uuid=3e8f1d2a-0000-4000-8000-0000000000{Random.Shared.Next(10, 99)}
            upnp_table_name={Table}
            upnp_nat_table_name={Table}
            allow 1-65535 10.77.0.0/24 1-65535
            deny 0-65535 0.0.0.0/0 0-65535

            """);
        var start = new ProcessStartInfo("ip", ["netns", "exec", Router.Name, "/usr/sbin/miniupnpd", "-d", "-f", config, "-P", Path.Combine(Directory, "miniupnpd.pid")])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("miniupnpd did not start");
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        _miniupnpd = process;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!(MiniupnpdLog.Contains("Listening for NAT-PMP/PCP", StringComparison.Ordinal) && MiniupnpdLog.Contains("HTTP listening", StringComparison.Ordinal)))
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException("miniupnpd did not come up:\n" + MiniupnpdLog);
            }
            Thread.Sleep(50);
        }
    }

    /// <summary>Stops miniupnpd by its pid (SIGTERM, then SIGKILL) and waits for it.</summary>
    public void StopMiniupnpd()
    {
        if (_miniupnpd is not { } process)
        {
            return;
        }
        if (!process.HasExited)
        {
            TestNamespace.TryRun("kill", "-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                process.Kill();
                process.WaitForExit();
            }
        }
        process.Dispose();
        _miniupnpd = null;
    }

    /// <summary>
    /// A router reboot: miniupnpd stopped, its chains emptied (a rebooted router has no rules
    /// either), and started again with no lease file and a new epoch.
    /// </summary>
    public void RebootRouter()
    {
        StopMiniupnpd();
        foreach (var chain in new[] { "miniupnpd", "prerouting_miniupnpd", "postrouting_miniupnpd" })
        {
            Router.Exec("nft", "flush", "chain", "inet", Table, chain);
        }
        StartMiniupnpd();
    }

    public string Rules() => Router.Exec("nft", "list", "table", "inet", Table);

    /// <summary>
    /// Another host of the LAN (a second address on the host's LAN link, 10.77.0.3) takes external
    /// TCP <paramref name="externalPort"/> with NAT-PMP for an hour: the conflict a busy home network has.
    /// </summary>
    public void TakePortAsNeighbour(int externalPort)
    {
        if (!_neighbour)
        {
            Host.Ip("addr", "add", "10.77.0.3/24", "dev", "lan0");
            _neighbour = true;
        }
        var script = $$"""
            import socket, struct
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind(("10.77.0.3", 0))
            s.settimeout(3)
            s.sendto(struct.pack(">BBHHHI", 0, 2, 0, 9999, {{externalPort}}, 3600), ("{{RouterLan}}", 5351))
            answer = s.recv(64)
            result, external = struct.unpack(">H", answer[2:4])[0], struct.unpack(">H", answer[10:12])[0]
            assert result == 0 and external == {{externalPort}}, (result, external)
            """;
        var path = Path.Combine(Directory, "neighbour.py");
        File.WriteAllText(path, script);
        Host.Exec("python3", path);
    }

    /// <summary>Whether the router forwards external <paramref name="port"/> to this host (miniupnpd's DNAT rule).</summary>
    public bool Forwards(int port, string protocol = "tcp") =>
        Rules().Split('\n').Any(l => l.Contains($"dnat ip to {HostLan}:", StringComparison.Ordinal) && l.Contains($"dport {port} ", StringComparison.Ordinal)
            && l.Contains(protocol == "udp" ? "0x11" : "0x6", StringComparison.Ordinal));

    /// <summary>How many DNAT rules the router has towards this host.</summary>
    public int DnatRules() => Rules().Split('\n').Count(l => l.Contains($"dnat ip to {HostLan}:", StringComparison.Ordinal));

    /// <summary>An HTTP fetch from the internet namespace to the router's WAN address (busybox's timeout bounds it).</summary>
    public (int Exit, string Page) FetchFromInternet(int port)
    {
        var (exit, output, _) = Internet.TryExec("timeout", "5", "busybox", "wget", "-q", "-O", "-", $"http://{RouterWan}:{port}/");
        return (exit, output);
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_log)
        {
            _log.AppendLine(line);
        }
    }

    public void Dispose()
    {
        StopMiniupnpd();
        Internet.Dispose();
        Router.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
