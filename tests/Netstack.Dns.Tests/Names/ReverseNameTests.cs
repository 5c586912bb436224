using System.Net;
using Netstack.Dns.Names;
using Xunit;

namespace Netstack.Dns.Tests.Names;

public class ReverseNameTests
{
    [Theory]
    [InlineData("10.20.0.2", "2.0.20.10.in-addr.arpa")]
    [InlineData("2001:db8::1", "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa")]
    public void For_ThenTryParse_RoundTrips(string address, string name)
    {
        Assert.Equal(name, ReverseName.For(IPAddress.Parse(address)));
        Assert.True(ReverseName.TryParse(name, out var parsed));
        Assert.Equal(IPAddress.Parse(address), parsed);
    }

    [Theory]
    [InlineData("0.20.10.in-addr.arpa")]
    [InlineData("256.0.20.10.in-addr.arpa")]
    [InlineData("02.0.20.10.in-addr.arpa")]
    [InlineData("a.0.20.10.in-addr.arpa")]
    [InlineData("1.0.ip6.arpa")]
    [InlineData("web.example")]
    public void TryParse_PartialOrOtherNames_False(string name)
    {
        Assert.False(ReverseName.TryParse(name, out _));
    }
}
