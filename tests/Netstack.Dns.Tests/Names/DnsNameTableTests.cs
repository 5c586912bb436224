using System.Net;
using Netstack.Dns.Names;
using Netstack.Dns.Wire;
using Xunit;

namespace Netstack.Dns.Tests.Names;

public class DnsNameTableTests
{
    [Fact]
    public void Set_NameWithA64ByteLabel_RejectedNamingTheEndpoint()
    {
        var table = new DnsNameTable();

        var error = Assert.Throws<DnsFormatException>(() =>
            table.Set(new DnsNameEntry("n", "ep-bad", "s", [new string('x', 64)], [IPAddress.Parse("10.0.0.2")])));

        Assert.Contains("ep-bad", error.Message, StringComparison.Ordinal);
        Assert.Empty(table.Entries);
    }

    [Fact]
    public void Lookup_SandboxWithNoEndpoints_NotFound()
    {
        var table = new DnsNameTable();
        table.Set(new DnsNameEntry("n", "ep", "s", ["web"], [IPAddress.Parse("10.0.0.2")]));

        Assert.False(table.TryLookupName(new DnsAsker("stranger"), "web", out _));
        Assert.False(table.TryLookupAddress(new DnsAsker("stranger"), IPAddress.Parse("10.0.0.2"), out _));
    }

    [Fact]
    public void Set_SameEndpointAgain_ReplacesItsNames()
    {
        var table = new DnsNameTable();
        table.Set(new DnsNameEntry("n", "ep", "s", ["old"], [IPAddress.Parse("10.0.0.2")]));

        table.Set(new DnsNameEntry("n", "ep", "s", ["new"], [IPAddress.Parse("10.0.0.2")]));

        Assert.False(table.TryLookupName(new DnsAsker("s"), "old", out _));
        Assert.True(table.TryLookupName(new DnsAsker("s"), "new", out var addresses));
        Assert.Equal([IPAddress.Parse("10.0.0.2")], addresses);
        Assert.Single(table.Entries);
    }

    [Fact]
    public void Remove_UnknownEndpoint_ReturnsFalse()
    {
        Assert.False(new DnsNameTable().Remove("n", "nope"));
    }
}
