using System.Net;
using Netstack.Dns.Wire;
using Netstack.TestKit.Dns;
using Netstack.TestKit;

namespace Netstack.Privileged.Tests.DnsDaemon;

/// <summary>
/// "The internet" of a daemon test: its own namespace joined to the daemon's host namespace by a
/// veth pair, with a stub DNS server on <see cref="Address"/>:53 that knows one external name and
/// answers NXDOMAIN for everything else. Containers reach it through the host namespace's routing
/// (and the bridge's MASQUERADE), so forwarded queries never leave the test's namespaces.
/// </summary>
internal sealed class StubUpstreamHost : IAsyncDisposable
{
    public const string ExternalName = "upstream-only.example";

    public static readonly IPAddress ExternalAddress = IPAddress.Parse("203.0.113.7");

    private readonly TestNamespace _ns;
    private readonly StubDnsServer _stub;

    private StubUpstreamHost(TestNamespace ns, StubDnsServer stub)
    {
        _ns = ns;
        _stub = stub;
    }

    public IPAddress Address { get; } = IPAddress.Parse("10.250.0.2");

    /// <summary>Queries the stub received for <paramref name="name"/> over UDP.</summary>
    public int Queries(string name) => _stub.Queries(name, overTcp: false);

    public static StubUpstreamHost Start(TestNamespace daemonHost)
    {
        var ns = TestNamespace.Create();
        try
        {
            var hostSide = "nsu" + ns.Name[4..];
            daemonHost.Ip("link", "add", hostSide, "type", "veth", "peer", "name", "eth0", "netns", ns.Name);
            daemonHost.Ip("addr", "add", "10.250.0.1/24", "dev", hostSide);
            daemonHost.Ip("link", "set", hostSide, "up");
            ns.Ip("link", "set", "lo", "up");
            ns.Ip("addr", "add", "10.250.0.2/24", "dev", "eth0");
            ns.Ip("link", "set", "eth0", "up");
            ns.Ip("route", "add", "default", "via", "10.250.0.1");
            var stub = StubDnsServer.InNamespace(ns.Namespace, IPAddress.Parse("10.250.0.2"), Answer);
            return new StubUpstreamHost(ns, stub);
        }
        catch
        {
            ns.Dispose();
            throw;
        }
    }

    private static DnsMessage? Answer(DnsMessage query, bool overTcp)
    {
        var question = query.Questions[0];
        var known = string.Equals(question.Name.TrimEnd('.'), ExternalName, StringComparison.OrdinalIgnoreCase);
        var reply = StubDnsServer.ReplyTo(query, known ? DnsResponseCode.NoError : DnsResponseCode.NameError);
        if (known && question.Type == DnsRecordType.A)
        {
            reply.Answers.Add(DnsResourceRecord.Address(question.Name, ExternalAddress, 60));
        }
        return reply;
    }

    public async ValueTask DisposeAsync()
    {
        await _stub.DisposeAsync();
        // The veth pair goes with the namespace.
        _ns.Dispose();
    }
}
