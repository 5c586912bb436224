using Microsoft.Extensions.Configuration;
using Netstack.Daemon.Hosting;
using Netstack.Daemon.Plugin;
using Xunit;

namespace Netstack.Api.Tests.Plugin;

/// <summary>How <c>--plugin</c>, <c>--plugin-socket</c> and daemon.json turn the plugin endpoint on, and what they refuse.</summary>
public sealed class PluginOptionsTests
{
    private static PluginOptions Bind(params string[] args)
    {
        var commandLine = new DaemonCommandLine();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(commandLine.ToConfiguration(commandLine.Root.Parse(args))).Build();
        var options = new PluginOptions();
        configuration.Bind(options);
        return options;
    }

    [Fact]
    public void NoFlag_IsOff()
    {
        var options = Bind();

        Assert.False(options.IsEnabled);
    }

    [Fact]
    public void PluginSwitch_IsOnAtDockersDiscoveryPath()
    {
        var options = Bind("--plugin");

        Assert.True(options.IsEnabled);
        Assert.Equal("/run/docker/plugins/netstack.sock", options.SocketPath);
    }

    [Fact]
    public void PluginSocket_TurnsItOnAtThatPath()
    {
        var options = Bind("--plugin-socket", "/tmp/p/netstack.sock");

        Assert.True(options.IsEnabled);
        Assert.Equal("/tmp/p/netstack.sock", options.SocketPath);
    }

    [Fact]
    public void ConfigFileFalse_KeepsItOffWithASocketPath()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["plugin"] = "false", ["plugin-socket"] = "/tmp/p/netstack.sock" }).Build();
        var options = new PluginOptions();
        configuration.Bind(options);

        Assert.False(options.IsEnabled);
    }

    [Theory]
    [InlineData("relative/netstack.sock", "must be an absolute path")]
    [InlineData("/tmp/p/", "must be an absolute path")]
    [InlineData("/tmp/p/netstack", "must end in .sock")]
    [InlineData("/tmp/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/n.sock", "shorter than 108 bytes")]
    public void BadSocketPath_IsRefusedNamingTheSettingAndValue(string path, string reason)
    {
        var result = new PluginOptionsValidator().Validate(null, new PluginOptions { Socket = path });

        Assert.True(result.Failed);
        Assert.Contains($"plugin-socket \"{path}\"", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains(reason, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void BadSocketPath_WhenOff_IsNotChecked()
    {
        var result = new PluginOptionsValidator().Validate(null, new PluginOptions { Enabled = false, Socket = "relative" });

        Assert.True(result.Succeeded);
    }
}
