using System.Net;
using Netstack.Daemon.Gossip;
using Xunit;

namespace Netstack.Api.Tests.Gossip;

/// <summary>netstackd's cluster flags: resolved values and errors that name the flag and the bad value.</summary>
public sealed class GossipSettingsTests
{
    private static (GossipSettings? Settings, List<string> Failures) Resolve(GossipDaemonOptions options)
    {
        var failures = new List<string>();
        return (GossipSettings.Resolve(options, failures), failures);
    }

    [Fact]
    public void Resolve_NoAddress_GossipIsOff()
    {
        var (settings, failures) = Resolve(new GossipDaemonOptions());

        Assert.Null(settings);
        Assert.Empty(failures);
    }

    [Fact]
    public void Resolve_AdvertiseOnly_ListensOnAnyAtDefaultPort_NamedByAddress()
    {
        var (settings, failures) = Resolve(new GossipDaemonOptions { AdvertiseAddr = "10.1.2.3", Join = ["10.1.2.1,10.1.2.2:8000", "10.1.2.4"] });

        Assert.Empty(failures);
        Assert.NotNull(settings);
        Assert.Equal(new IPEndPoint(IPAddress.Any, 7946), settings.Listen);
        Assert.Equal(IPAddress.Parse("10.1.2.3"), settings.Advertise);
        Assert.Equal("10.1.2.3", settings.NodeName);
        Assert.Equal(["10.1.2.1:7946", "10.1.2.2:8000", "10.1.2.4:7946"], settings.Join.Select(j => j.ToString()));
        Assert.Null(settings.Key);
    }

    [Fact]
    public void Resolve_ListenWithPort_AdvertisedNameCarriesThePort()
    {
        var (settings, failures) = Resolve(new GossipDaemonOptions { ListenAddr = "127.0.0.1:8100", NodeName = null });

        Assert.Empty(failures);
        Assert.Equal("127.0.0.1:8100", settings!.NodeName);
        Assert.Equal(IPAddress.Loopback, settings.Advertise);
        Assert.Equal(8100, settings.Listen.Port);
    }

    [Theory]
    [InlineData("10.1.2.300", null, null, "--advertise-addr \"10.1.2.300\"")]
    [InlineData("10.1.2.3:0", null, null, "--advertise-addr \"10.1.2.3:0\"")]
    [InlineData("0.0.0.0", null, null, "--advertise-addr \"0.0.0.0\": peers cannot reach a wildcard")]
    [InlineData(null, "0.0.0.0:7946", null, "--listen-addr \"0.0.0.0:7946\" is a wildcard address")]
    [InlineData(null, "host:7946", null, "--listen-addr \"host:7946\"")]
    [InlineData("10.1.2.3:7000", "0.0.0.0:7001", null, "port 7000 differs from --listen-addr port 7001")]
    [InlineData("10.1.2.3", null, "peer", "--join \"peer\"")]
    [InlineData("10.1.2.3", null, "10.0.0.1:70000", "--join \"10.0.0.1:70000\"")]
    [InlineData(null, null, "10.0.0.1", "--join needs --advertise-addr")]
    public void Resolve_BadValue_FailureNamesFlagAndValue(string? advertise, string? listen, string? join, string expected)
    {
        var (settings, failures) = Resolve(new GossipDaemonOptions { AdvertiseAddr = advertise, ListenAddr = listen, Join = join is null ? [] : [join] });

        Assert.Null(settings);
        Assert.Contains(failures, f => f.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Resolve_KeyFile_NotBase64OrMissing_FailsNamingTheFile()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "not a key");
            var (_, bad) = Resolve(new GossipDaemonOptions { AdvertiseAddr = "10.1.2.3", GossipKeyFile = file });
            var (_, missing) = Resolve(new GossipDaemonOptions { AdvertiseAddr = "10.1.2.3", GossipKeyFile = file + ".none" });

            Assert.Contains(bad, f => f.StartsWith($"--gossip-key-file \"{file}\"", StringComparison.Ordinal) && f.Contains("base64", StringComparison.Ordinal));
            Assert.Contains(missing, f => f.StartsWith($"--gossip-key-file \"{file}.none\": cannot read it", StringComparison.Ordinal));

            var key = new byte[32];
            key[0] = 7;
            File.WriteAllText(file, Convert.ToBase64String(key) + "\n");
            var (settings, none) = Resolve(new GossipDaemonOptions { AdvertiseAddr = "10.1.2.3", GossipKeyFile = file });
            Assert.Empty(none);
            Assert.Equal(key, settings!.Key);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("[::1]:7946", "::1", 7946)]
    [InlineData("::1", "::1", 7946)]
    [InlineData("10.0.0.1:1", "10.0.0.1", 1)]
    public void TryParse_AcceptedForms(string text, string address, int port)
    {
        Assert.Equal(new IPEndPoint(IPAddress.Parse(address), port), GossipEndpoint.TryParse(text, out _));
    }

    [Theory]
    [InlineData("::1:7946x")]
    [InlineData("10.0.0.1:")]
    [InlineData(":7946")]
    [InlineData("10.0.0.1:+80")]
    public void TryParse_RejectedForms(string text)
    {
        Assert.Null(GossipEndpoint.TryParse(text, out _));
    }
}
