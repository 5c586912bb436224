using Netstack.Dns.Names;
using Netstack.Dns.Resolver;
using Netstack.Dns.Server;
using Xunit;

namespace Netstack.Dns.Tests.Resolver;

public class OptionsTests
{
    [Fact]
    public void Resolver_EmptySandboxId_RejectedNamingTheField()
    {
        var error = Assert.Throws<ArgumentException>(() => new EmbeddedResolver(new EmbeddedResolverOptions { SandboxId = " " }, new DnsNameTable()));

        Assert.Equal("SandboxId", error.ParamName);
    }

    [Fact]
    public void Resolver_ZeroTimeout_RejectedWithTheValue()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new EmbeddedResolver(new EmbeddedResolverOptions { SandboxId = "s", UpstreamTimeout = TimeSpan.Zero }, new DnsNameTable()));

        Assert.Equal("UpstreamTimeout", error.ParamName);
        Assert.Equal(TimeSpan.Zero, error.ActualValue);
    }

    [Fact]
    public void Server_ZeroConnections_Rejected()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new DnsServerOptions { MaxTcpConnections = 0 }.Validate());

        Assert.Equal("MaxTcpConnections", error.ParamName);
    }
}
