using System.Net;
using System.Net.Sockets;
using Netstack.Core.Ipam;
using Xunit;

namespace Netstack.Ipam.Tests;

public sealed class PredefinedPoolsTests
{
    [Fact]
    public void Local_Is172_17To31Slash16_Then192_168Slash20s()
    {
        var subnets = PredefinedPools.For(IpamAddressSpaces.Local, AddressFamily.InterNetwork).SelectMany(b => b.Subnets()).ToList();

        Assert.Equal(IPNetwork.Parse("172.17.0.0/16"), subnets[0]);
        Assert.Equal(IPNetwork.Parse("172.31.0.0/16"), subnets[14]);
        Assert.Equal(IPNetwork.Parse("192.168.0.0/20"), subnets[15]);
        Assert.Equal(IPNetwork.Parse("192.168.16.0/20"), subnets[16]);
        Assert.Equal(IPNetwork.Parse("192.168.240.0/20"), subnets[^1]);
        Assert.Equal(15 + 16, subnets.Count);
    }

    [Fact]
    public void Global_Is10Slash8SplitInto24s()
    {
        var subnets = PredefinedPools.For(IpamAddressSpaces.Global, AddressFamily.InterNetwork).SelectMany(b => b.Subnets()).Take(3).ToList();

        Assert.Equal([IPNetwork.Parse("10.0.0.0/24"), IPNetwork.Parse("10.0.1.0/24"), IPNetwork.Parse("10.0.2.0/24")], subnets);
        Assert.Equal(65536, PredefinedPools.GlobalIPv4[0].Subnets().Count());
    }
}
