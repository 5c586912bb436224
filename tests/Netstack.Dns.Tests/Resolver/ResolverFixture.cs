using Xunit;
using System.Net;
using Netstack.Dns.Names;
using Netstack.Dns.Resolver;
using Netstack.Dns.Wire;

namespace Netstack.Dns.Tests.Resolver;

/// <summary>Two networks: "front" (sandboxes A and B) and "back" (sandboxes B and C).</summary>
internal static class ResolverFixture
{
    public const string SandboxA = "sandbox-a";
    public const string SandboxB = "sandbox-b";
    public const string SandboxC = "sandbox-c";

    public static DnsNameTable NameTable()
    {
        var table = new DnsNameTable();
        table.Set(new DnsNameEntry("front", "ep-a", SandboxA, ["client", "0123456789ab"], [IPAddress.Parse("10.1.0.2")]));
        table.Set(new DnsNameEntry("front", "ep-b1", SandboxB, ["web", "Web-Alias", "b1b1b1b1b1b1"], [IPAddress.Parse("10.1.0.3"), IPAddress.Parse("fd00::3")]));
        table.Set(new DnsNameEntry("back", "ep-b2", SandboxB, ["web"], [IPAddress.Parse("10.2.0.3")]));
        table.Set(new DnsNameEntry("back", "ep-c", SandboxC, ["db"], [IPAddress.Parse("10.2.0.4")]));
        return table;
    }

    public static async Task<DnsMessage> AskAsync(EmbeddedResolver resolver, byte[] query, bool overTcp = false)
    {
        var response = new byte[65536];
        var length = await resolver.ResolveAsync(query, response, overTcp);
        Assert.True(length > 0, "the resolver sent no answer");
        return DnsMessage.Parse(response.AsSpan(0, length));
    }

    public static IPAddress[] Addresses(DnsMessage message) =>
        message.Answers.Select(a => ((DnsAddressData)a.Data).Address).ToArray();
}
