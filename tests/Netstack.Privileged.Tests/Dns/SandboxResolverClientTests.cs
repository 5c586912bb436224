using System.Net;
using System.Net.Sockets;
using Netstack.Dns.Names;
using Netstack.TestKit;
using Xunit;

namespace Netstack.Privileged.Tests.Dns;

/// <summary>
/// Our resolver inside a real namespace on 127.0.0.11:53, asked by real clients running in that
/// namespace: dig, busybox nslookup and glibc's getaddrinfo (getent ahosts).
/// </summary>
public sealed class SandboxResolverClientTests : IAsyncLifetime
{
    private const string Asker = "sbx-asker";

    private TestNamespace _sandbox = null!;
    private SandboxDnsHost _host = null!;

    public Task InitializeAsync()
    {
        _sandbox = TestNamespace.Create();
        try
        {
            var names = new DnsNameTable();
            names.Set(new DnsNameEntry("net1", "ep-client", Asker, ["client"], [IPAddress.Parse("10.77.0.2")]));
            names.Set(new DnsNameEntry("net1", "ep-web", "sbx-web", ["web", "web-alias", "abcdef123456"], [IPAddress.Parse("10.77.0.3"), IPAddress.Parse("fd77::3")]));
            for (var i = 10; i < 13; i++)
            {
                names.Set(new DnsNameEntry("net1", $"ep-{i}", $"sbx-{i}", [$"worker{i}", "pool"], [IPAddress.Parse($"10.77.0.{i}")]));
            }

            names.Set(new DnsNameEntry("net2", "ep-hidden", "sbx-hidden", ["hidden"], [IPAddress.Parse("10.78.0.5")]));
            _host = SandboxDnsHost.Start(_sandbox, names, Asker, forward: false, eth0: IPAddress.Parse("10.77.0.2"));
        }
        catch
        {
            _sandbox.Dispose();
            throw;
        }

        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        try
        {
            await _host.DisposeAsync();
        }
        finally
        {
            _sandbox.Dispose();
        }
    }

    [PrivilegedFact]
    public void Dig_ContainerName_AnsweredOverUdpAndTcp()
    {
        var udp = _host.Exec("dig", "@127.0.0.11", "web", "A", "+short", "+time=2", "+tries=1");
        var tcp = _host.Exec("dig", "@127.0.0.11", "WEB-Alias", "A", "+short", "+tcp", "+time=2", "+tries=1");

        Assert.Equal((0, "10.77.0.3"), (udp.ExitCode, udp.Output.Trim()));
        Assert.Equal((0, "10.77.0.3"), (tcp.ExitCode, tcp.Output.Trim()));
    }

    [PrivilegedFact]
    public void Dig_ShortIdAndAaaa_Answered()
    {
        Assert.Equal("10.77.0.3", _host.Exec("dig", "@127.0.0.11", "abcdef123456", "+short", "+time=2", "+tries=1").Output.Trim());
        Assert.Equal("fd77::3", _host.Exec("dig", "@127.0.0.11", "web", "AAAA", "+short", "+time=2", "+tries=1").Output.Trim());
    }

    [PrivilegedFact]
    public void Dig_Alias_AllContainersAnswered()
    {
        var lines = _host.Exec("dig", "@127.0.0.11", "pool", "+short", "+time=2", "+tries=1").Output
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        Assert.Equal(["10.77.0.10", "10.77.0.11", "10.77.0.12"], lines.Order(StringComparer.Ordinal));
    }

    [PrivilegedFact]
    public void Dig_ReverseLookup_AnswersTheContainerName()
    {
        Assert.Equal("web.", _host.Exec("dig", "@127.0.0.11", "-x", "10.77.0.3", "+short", "+time=2", "+tries=1").Output.Trim());
    }

    [PrivilegedFact]
    public void Dig_ContainerOnANetworkNotShared_NotAnswered()
    {
        // This sandbox is internal-only here (no forwarding), so an unknown name is SERVFAIL.
        var result = _host.Exec("dig", "@127.0.0.11", "hidden", "+time=2", "+tries=1");

        Assert.Contains("status: SERVFAIL", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("10.78.0.5", result.Output, StringComparison.Ordinal);
    }

    [PrivilegedFact]
    public void BusyboxNslookup_ContainerName_Answered()
    {
        var result = _host.Exec("busybox", "nslookup", "web", "127.0.0.11");

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains("10.77.0.3", result.Output, StringComparison.Ordinal);
    }

    [PrivilegedFact]
    public void GlibcGetaddrinfo_ContainerName_ResolvedThroughResolvConf()
    {
        // getent ahosts calls getaddrinfo(3); ip netns exec mounts /etc/netns/NAME/resolv.conf (127.0.0.11).
        var result = _host.Exec("getent", "ahosts", "web");
        var alias = _host.Exec("getent", "ahostsv4", "Web-Alias");

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains("10.77.0.3", result.Output, StringComparison.Ordinal);
        Assert.Contains("10.77.0.3", alias.Output, StringComparison.Ordinal);
    }

    [PrivilegedFact]
    public void ContainerProcess_CanStillBindPort53OnAllAddresses()
    {
        // Why the resolver does not bind 127.0.0.11:53 itself: a container's own DNS server must start.
        using var udp = _sandbox.Namespace.Run(() => new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp));
        using var tcp = _sandbox.Namespace.Run(() => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
        udp.Bind(new IPEndPoint(IPAddress.Any, 53));
        tcp.Bind(new IPEndPoint(IPAddress.Any, 53));
        tcp.Listen(1);

        Assert.Equal("10.77.0.3", _host.Exec("dig", "@127.0.0.11", "web", "+short", "+time=2", "+tries=1").Output.Trim());
        Assert.Equal("10.77.0.3", _host.Exec("dig", "@127.0.0.11", "web", "+short", "+tcp", "+time=2", "+tries=1").Output.Trim());
    }
}
