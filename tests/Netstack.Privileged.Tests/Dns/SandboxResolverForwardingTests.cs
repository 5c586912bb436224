using System.Net.Sockets;
using System.Net;
using Netstack.Dns.Names;
using Netstack.Dns.Wire;
using Netstack.Linux;
using Netstack.TestKit.Dns;
using Netstack.TestKit;
using Xunit;

namespace Netstack.Privileged.Tests.Dns;

/// <summary>
/// Forwarding from a sandbox to an upstream server in another namespace ("the internet" of the
/// test), reached over a veth pair: never the machine's own resolver.
/// </summary>
public sealed class SandboxResolverForwardingTests : IAsyncLifetime
{
    private static readonly IPAddress SandboxSide = IPAddress.Parse("10.99.0.1");
    private static readonly IPAddress UpstreamSide = IPAddress.Parse("10.99.0.2");

    private TestNamespace _sandbox = null!;
    private TestNamespace _internet = null!;
    private StubDnsServer _upstream = null!;

    public Task InitializeAsync()
    {
        _sandbox = TestNamespace.Create();
        _internet = TestNamespace.Create();
        try
        {
            var suffix = _sandbox.Name[4..];
            _sandbox.Netlink.LinkAdd(new VethSpec($"nsv{suffix}a", $"nsv{suffix}b") { PeerNamespace = _internet.Namespace });
            _sandbox.Netlink.AddrAdd($"nsv{suffix}a", new InterfaceAddress(SandboxSide, 24));
            _sandbox.Netlink.LinkSetUp($"nsv{suffix}a");
            _internet.Netlink.AddrAdd($"nsv{suffix}b", new InterfaceAddress(UpstreamSide, 24));
            _internet.Netlink.LinkSetUp($"nsv{suffix}b");
            _internet.Netlink.LinkSetUp("lo");
            _upstream = StubDnsServer.InNamespace(_internet.Namespace, UpstreamSide, Answer);
            WaitUntilUpstreamAnswers();
        }
        catch
        {
            _internet.Dispose();
            _sandbox.Dispose();
            throw;
        }

        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        try
        {
            await _upstream.DisposeAsync();
        }
        finally
        {
            _internet.Dispose();
            _sandbox.Dispose();
        }
    }

    [PrivilegedFact]
    public async Task Dig_ExternalName_ForwardedToTheUpstreamNamespace()
    {
        await using var host = Start(forward: true);

        var result = host.Exec("dig", "@127.0.0.11", "example.org", "+short", "+time=8", "+tries=1");

        Assert.Equal("198.51.100.20", result.Output.Trim());
        Assert.Equal(1, _upstream.Queries("example.org", overTcp: false));
    }

    [PrivilegedFact]
    public async Task Dig_UpstreamTruncates_ResolverRetriesOverTcp()
    {
        await using var host = Start(forward: true);

        // 40 A records: about 700 bytes, too big for the stub's UDP answer (it sets TC), fine for dig's EDNS 1232.
        var lines = host.Exec("dig", "@127.0.0.11", "big.example", "+short", "+time=8", "+tries=1").Output
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(40, lines.Length);
        Assert.Equal((1, 1), (_upstream.Queries("big.example", overTcp: false), _upstream.Queries("big.example", overTcp: true)));
    }

    [PrivilegedFact]
    public async Task GlibcGetaddrinfo_ExternalName_Forwarded()
    {
        await using var host = Start(forward: true);

        var result = host.Exec("getent", "ahostsv4", "example.org");

        Assert.Contains("198.51.100.20", result.Output, StringComparison.Ordinal);
    }

    [PrivilegedFact]
    public async Task Dig_UpstreamSilent_ServFail()
    {
        _upstream.Handler = (_, _) => null;
        await using var host = Start(forward: true);

        var result = host.Exec("dig", "@127.0.0.11", "example.org", "+time=10", "+tries=1");

        Assert.Contains("status: SERVFAIL", result.Output, StringComparison.Ordinal);
        Assert.True(_upstream.Queries("example.org", overTcp: false) >= 1);
    }

    [PrivilegedFact]
    public async Task Dig_InternalNetwork_NothingForwarded()
    {
        await using var host = Start(forward: false);

        var result = host.Exec("dig", "@127.0.0.11", "example.org", "+time=8", "+tries=1");
        var local = host.Exec("dig", "@127.0.0.11", "peer", "+short", "+time=8", "+tries=1");

        Assert.Contains("status: SERVFAIL", result.Output, StringComparison.Ordinal);
        Assert.Equal("10.99.0.7", local.Output.Trim());
        Assert.Equal(0, _upstream.Queries("example.org", overTcp: false) + _upstream.Queries("example.org", overTcp: true));
    }

    // A fresh veth needs a moment (carrier, ARP) before the first datagram gets through; probe the
    // stub straight from the sandbox until it answers, so the tests measure the resolver, not the link.
    private void WaitUntilUpstreamAnswers()
    {
        using var probe = _sandbox.Namespace.Run(() => new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp));
        probe.ReceiveTimeout = 500;
        probe.Connect(new IPEndPoint(UpstreamSide, 53));
        var query = new DnsMessage { Id = 1 };
        query.Questions.Add(new DnsQuestion("probe.example", DnsRecordType.A));
        var buffer = new byte[512];
        for (var attempt = 0; attempt < 40; attempt++)
        {
            probe.Send(query.ToArray());
            try
            {
                if (probe.Receive(buffer) > 0)
                {
                    return;
                }
            }
            catch (SocketException)
            {
                // Timed out or refused while the link comes up; try again.
            }
        }

        throw new InvalidOperationException($"stub upstream {UpstreamSide}:53 never answered from {_sandbox.Name}");
    }

    private SandboxDnsHost Start(bool forward)
    {
        var names = new DnsNameTable();
        names.Set(new DnsNameEntry("net", "ep-self", "sbx", ["self"], [SandboxSide]));
        names.Set(new DnsNameEntry("net", "ep-peer", "sbx-peer", ["peer"], [IPAddress.Parse("10.99.0.7")]));
        return SandboxDnsHost.Start(_sandbox, names, "sbx", [new IPEndPoint(UpstreamSide, 53)], forward);
    }

    private static DnsMessage? Answer(DnsMessage query, bool overTcp)
    {
        var question = query.Questions[0];
        var reply = StubDnsServer.ReplyTo(query);
        if (question.Name.Equals("big.example", StringComparison.OrdinalIgnoreCase))
        {
            if (!overTcp)
            {
                reply.IsTruncated = true;
                return reply;
            }

            for (var i = 0; i < 40; i++)
            {
                reply.Answers.Add(DnsResourceRecord.Address(question.Name, new IPAddress([203, 0, 113, (byte)i]), 30));
            }

            return reply;
        }

        if (question.Type == DnsRecordType.A)
        {
            reply.Answers.Add(DnsResourceRecord.Address(question.Name, IPAddress.Parse("198.51.100.20"), 30));
        }

        return reply;
    }
}
