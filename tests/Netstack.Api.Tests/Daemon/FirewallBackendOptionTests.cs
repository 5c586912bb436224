using Netstack.Daemon.Hosting;
using Xunit;

namespace Netstack.Api.Tests.Daemon;

/// <summary>
/// <c>--firewall-backend</c> (config key <c>firewall-backend</c>): the flag reaches the options, a bad
/// value stops the daemon at start naming the option and the value. (The nftables probe writes a
/// throwaway table, so it is exercised by the privileged daemon tests in their own namespaces, never here.)
/// </summary>
public sealed class FirewallBackendOptionTests
{
    [Fact]
    public void Flag_BecomesTheConfigurationKey()
    {
        var commandLine = new DaemonCommandLine();
        var values = commandLine.ToConfiguration(commandLine.Root.Parse(["--firewall-backend", "nftables"]));
        Assert.Equal("nftables", values["firewall-backend"]);
    }

    [Theory]
    [InlineData("nft")]
    [InlineData("")]
    [InlineData("ebtables")]
    public void Validator_RefusesAnUnknownBackend_NamingOptionAndValue(string value)
    {
        var result = new DaemonOptionsValidator().Validate(null, new DaemonOptions { FirewallBackend = value });
        Assert.True(result.Failed);
        Assert.Contains($"firewall-backend \"{value}\": expected iptables or nftables", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Default_IsIptables_AndValid()
    {
        var options = new DaemonOptions();
        Assert.Equal(Netstack.Firewall.FirewallBackend.Iptables, options.Firewall);
        Assert.DoesNotContain("firewall-backend", new DaemonOptionsValidator().Validate(null, options).FailureMessage ?? "", StringComparison.Ordinal);
    }
}
