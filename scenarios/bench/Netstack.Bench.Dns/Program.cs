using System.Globalization;
using System.Net;
using Netstack.Dns.Names;
using Netstack.Dns.Resolver;
using Netstack.Dns.Sandbox;
using Netstack.Dns.Server;
using Netstack.Dns.Upstream;
using Netstack.Linux;

// dns-bench host: starts the embedded resolver inside a network namespace on 127.0.0.11 and
// serves until stdin closes or SIGTERM. It prints the redirect rules (iptables-restore batch for
// the namespace's nat table) between BEGIN-RULES and END-RULES, then "READY".
//
//   Netstack.Bench.Dns --netns /run/netns/NAME [--containers N] [--upstream IP]... [--internal] [--udp-loops N] [--direct]
//
// --direct binds 127.0.0.11:53 itself (no redirect rules; see SandboxDnsServer for why the
// product does not). Names served to the asker sandbox "bench": "web" (the container the benchmark queries, one
// address), "web-<i>" for N-1 more containers, and the alias "pool" over all of them.

var netns = (string?)null;
var containers = 20;
var upstreams = new List<IPAddress>();
var forward = true;
var port = 0;
var udpLoops = Math.Max(2, Environment.ProcessorCount);
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--netns":
            netns = args[++i];
            break;
        case "--containers":
            containers = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--upstream":
            upstreams.Add(IPAddress.Parse(args[++i]));
            break;
        case "--internal":
            forward = false;
            break;
        case "--direct":
            port = 53;
            break;
        case "--udp-loops":
            udpLoops = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        default:
            Console.Error.WriteLine($"unknown argument '{args[i]}'; usage: --netns PATH [--containers N] [--upstream IP]... [--internal]");
            return 2;
    }
}

if (netns is null)
{
    Console.Error.WriteLine("--netns PATH is required (e.g. /run/netns/nst-bench)");
    return 2;
}

var names = new DnsNameTable();
names.Set(new DnsNameEntry("bench-net", "ep-asker", "bench", ["asker"], [IPAddress.Parse("10.250.0.2")]));
for (var c = 0; c < containers; c++)
{
    var address = new IPAddress([10, 250, (byte)(1 + (c / 250)), (byte)(1 + (c % 250))]);
    var name = c == 0 ? "web" : $"web-{c}";
    names.Set(new DnsNameEntry("bench-net", $"ep-{c}", $"sandbox-{c}", [name, "pool", $"{c:x12}"], [address]));
}

using var sandbox = NetworkNamespace.Open(netns);
var options = new EmbeddedResolverOptions
{
    SandboxId = "bench",
    ForwardExternal = forward,
    UpstreamServers = UpstreamServers.Choose(upstreams, null, () => []),
};
await using var server = SandboxDnsServer.Start(sandbox, options, names, new DnsServerOptions { UdpReceiveLoops = udpLoops }, udpPort: port, tcpPort: port);
Console.WriteLine("BEGIN-RULES");
Console.Write(server.Redirect?.ToIptablesRestore() ?? string.Empty);
Console.WriteLine("END-RULES");
Console.WriteLine($"READY udp={server.UdpEndpoint} tcp={server.TcpEndpoint}");
Console.Out.Flush();

var stopped = new TaskCompletionSource();
using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(
    System.Runtime.InteropServices.PosixSignal.SIGTERM,
    context =>
    {
        context.Cancel = true;
        stopped.TrySetResult();
    });
_ = Task.Run(() =>
{
    // Ends when stdin closes (the script exits or closes the pipe).
    while (Console.In.ReadLine() is not null)
    {
    }

    stopped.TrySetResult();
});
await stopped.Task;
return 0;
