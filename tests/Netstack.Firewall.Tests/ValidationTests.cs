using Netstack.Firewall;
using Xunit;

namespace Netstack.Firewall.Tests;

public sealed class ValidationTests
{
    [Theory]
    [InlineData("FORWARD")]
    [InlineData("DOCKER")]
    [InlineData("NETSTACK-THIS-NAME-IS-TOO-LONG-X")]
    [InlineData("NETSTACK-a b")]
    public void Chain_NotNetstacksOrBad_Throws(string name)
    {
        var thrown = Assert.Throws<ArgumentException>(() => new FirewallChain("filter", name));
        Assert.Contains(name, thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Table_Unknown_Throws()
    {
        var thrown = Assert.Throws<ArgumentException>(() => new FirewallChain("natt", "NETSTACK-X"));
        Assert.Contains("\"natt\"", thrown.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("quote\"")]
    [InlineData("-leading")]
    public void Owner_Bad_Throws(string owner) =>
        Assert.Throws<ArgumentException>(() => new FirewallRuleSet(owner, IpFamily.IPv4, [], []));

    [Fact]
    public void RuleInBuiltinChain_MustJumpToNetstackChain()
    {
        Assert.Throws<ArgumentException>(() => new FirewallRule("filter", "FORWARD", "-j", "ACCEPT"));
        Assert.Throws<ArgumentException>(() => new FirewallRule("filter", "DOCKER-USER", "-j", "NETSTACK-X"));
        var jump = FirewallRule.Jump("filter", "FORWARD", "NETSTACK-X", "-i", "br0");
        Assert.True(jump.Insert);
        Assert.Equal(["-i", "br0", "-j", "NETSTACK-X"], jump.Arguments);
    }

    [Theory]
    [InlineData("-F")]
    [InlineData("--delete-chain")]
    [InlineData("-P")]
    [InlineData("a\nb")]
    [InlineData("x\"y")]
    public void RuleArgument_CommandOrInjection_Throws(string argument) =>
        Assert.Throws<ArgumentException>(() => new FirewallRule("filter", "NETSTACK-X", "-s", "10.0.0.0/8", argument));

    [Fact]
    public void RuleSet_DuplicateChain_Throws() =>
        Assert.Throws<ArgumentException>(() => new FirewallRuleSet("o", IpFamily.IPv4,
            [new FirewallChain("filter", "NETSTACK-X"), new FirewallChain("filter", "NETSTACK-X")], []));
}
