using System.Net;
using Netstack.Dns.Upstream;
using Xunit;

namespace Netstack.Dns.Tests.Upstream;

public class UpstreamServersTests
{
    private static readonly IPAddress[] Container = [IPAddress.Parse("192.0.2.1")];
    private static readonly IPAddress[] Daemon = [IPAddress.Parse("192.0.2.2"), IPAddress.Parse("192.0.2.2"), IPAddress.Parse("192.0.2.3")];

    [Fact]
    public void Choose_ContainerDns_WinsAndHostFileIsNotRead()
    {
        var servers = UpstreamServers.Choose(Container, Daemon, () => throw new InvalidOperationException("host resolv.conf read"));

        Assert.Equal([new IPEndPoint(IPAddress.Parse("192.0.2.1"), 53)], servers);
    }

    [Fact]
    public void Choose_NoContainerDns_DaemonServersDeduplicated()
    {
        var servers = UpstreamServers.Choose([], Daemon, () => throw new InvalidOperationException("host resolv.conf read"));

        Assert.Equal([new IPEndPoint(IPAddress.Parse("192.0.2.2"), 53), new IPEndPoint(IPAddress.Parse("192.0.2.3"), 53)], servers);
    }

    [Fact]
    public void Choose_NothingConfigured_HostNameservers()
    {
        var servers = UpstreamServers.Choose(null, null, () => ResolvConf.ParseNameservers("nameserver 198.51.100.53\n"));

        Assert.Equal([new IPEndPoint(IPAddress.Parse("198.51.100.53"), 53)], servers);
    }

    [Fact]
    public void ParseNameservers_CommentsOptionsAndBadLines_Skipped()
    {
        const string text = """
            # generated
            search example.com
            nameserver 192.0.2.10   # primary
            ; nameserver 192.0.2.99
            nameserver not-an-address
            nameserver\t2001:db8::53
            options ndots:2
            nameserver 192.0.2.11
            """;

        var servers = ResolvConf.ParseNameservers(text.Replace("\\t", "\t", StringComparison.Ordinal));

        Assert.Equal(new[] { "192.0.2.10", "2001:db8::53", "192.0.2.11" }.Select(IPAddress.Parse), servers);
    }
}
