using System.Net;
using Microsoft.Extensions.Logging;
using Netstack.Dns.Names;
using Netstack.Dns.Resolver;
using Netstack.Dns.Server;
using Netstack.Linux;

namespace Netstack.Dns.Sandbox;

/// <summary>
/// The resolver of one sandbox, listening inside the sandbox's network namespace.
/// </summary>
/// <remarks>
/// Where it listens: like Docker, on 127.0.0.11 with ports the kernel picks, plus a DNAT from
/// 127.0.0.11:53 (<see cref="Redirect"/>), rather than binding 127.0.0.11:53 itself. A socket bound
/// to 127.0.0.11:53 makes the kernel refuse a container process's bind of 0.0.0.0:53 (EADDRINUSE
/// for TCP, and for UDP unless both set SO_REUSEADDR), so a container running its own DNS server
/// (dnsmasq, CoreDNS, a test resolver) would fail to start. With the redirect the container keeps
/// port 53 on every address, only queries sent to 127.0.0.11:53 reach us, and the cost is one
/// conntrack lookup per flow. Pass port 53 to bind directly where no firewall is wanted.
/// </remarks>
public sealed class SandboxDnsServer : IAsyncDisposable
{
    /// <summary>The address containers are given in resolv.conf, as with Docker.</summary>
    public static readonly IPAddress Address = IPAddress.Parse("127.0.0.11");

    /// <summary>DNS port (RFC 1035 4.2).</summary>
    public const int Port = 53;

    private readonly DnsServer _server;

    private SandboxDnsServer(DnsServer server, DnsRedirect? redirect, EmbeddedResolver resolver)
    {
        _server = server;
        Redirect = redirect;
        Resolver = resolver;
    }

    /// <summary>
    /// Rules the firewall layer must apply in the sandbox's nat table (null when bound to port 53
    /// directly). Apply them after <see cref="Start"/>; they go away with the namespace.
    /// </summary>
    public DnsRedirect? Redirect { get; }

    public EmbeddedResolver Resolver { get; }

    public IPEndPoint UdpEndpoint => _server.UdpEndpoint!;

    public IPEndPoint TcpEndpoint => _server.TcpEndpoint!;

    /// <summary>
    /// Opens the sockets on <see cref="Address"/> inside <paramref name="sandbox"/> (ports chosen by
    /// the kernel unless given), and starts serving. Forwarded queries leave from the sandbox too.
    /// </summary>
    public static SandboxDnsServer Start(
        NetworkNamespace sandbox,
        EmbeddedResolverOptions options,
        IDnsNameSource names,
        DnsServerOptions? serverOptions = null,
        ILoggerFactory? loggers = null,
        TimeProvider? timeProvider = null,
        int udpPort = 0,
        int tcpPort = 0)
    {
        ArgumentNullException.ThrowIfNull(sandbox);
        var resolver = new EmbeddedResolver(options, names, new NamespaceUpstreamSocketFactory(sandbox), timeProvider, loggers?.CreateLogger<EmbeddedResolver>());
        var (udp, tcp) = sandbox.Run(() => DnsListenSockets.Open(Address, udpPort, tcpPort));
        DnsServer server;
        try
        {
            server = new DnsServer(resolver, udp, tcp, serverOptions, timeProvider);
        }
        catch
        {
            udp.Dispose();
            tcp.Dispose();
            throw;
        }

        server.Start();
        var udpBound = ((IPEndPoint)udp.LocalEndPoint!).Port;
        var tcpBound = ((IPEndPoint)tcp.LocalEndPoint!).Port;
        var redirect = udpBound == Port && tcpBound == Port ? null : new DnsRedirect(Address, udpBound, tcpBound);
        return new SandboxDnsServer(server, redirect, resolver);
    }

    /// <summary>Stops serving and closes the sockets.</summary>
    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
