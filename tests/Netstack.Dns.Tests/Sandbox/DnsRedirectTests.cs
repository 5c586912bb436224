using System.Net;
using Netstack.Dns.Sandbox;
using Xunit;

namespace Netstack.Dns.Tests.Sandbox;

public class DnsRedirectTests
{
    [Fact]
    public void ToIptablesRestore_SendsPort53OfTheResolverAddressToItsPorts()
    {
        var rules = new DnsRedirect(IPAddress.Parse("127.0.0.11"), 40001, 40002).ToIptablesRestore();

        Assert.Equal(
            """
            *nat
            :NETSTACK-DNS - [0:0]
            -A OUTPUT -d 127.0.0.11/32 -j NETSTACK-DNS
            -A NETSTACK-DNS -d 127.0.0.11/32 -p udp -m udp --dport 53 -j DNAT --to-destination 127.0.0.11:40001
            -A NETSTACK-DNS -d 127.0.0.11/32 -p tcp -m tcp --dport 53 -j DNAT --to-destination 127.0.0.11:40002
            COMMIT

            """.ReplaceLineEndings("\n"),
            rules);
    }
}
