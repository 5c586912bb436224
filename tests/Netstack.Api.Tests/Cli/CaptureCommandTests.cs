using Netstack.Api.Contracts.Capture;
using Netstack.Cli;
using Netstack.Cli.Commands.Debug;
using Xunit;

namespace Netstack.Api.Tests.Cli;

public sealed class CaptureCommandTests
{
    [Theory]
    [InlineData("10s", 10)]
    [InlineData("500ms", 0.5)]
    [InlineData("2m", 120)]
    [InlineData("1h", 3600)]
    [InlineData("1.5", 1.5)]
    public void Duration_UnitsOrPlainSeconds(string text, double seconds) =>
        Assert.Equal(seconds, CaptureCommand.ParseDuration(text), 6);

    [Theory]
    [InlineData("soon")]
    [InlineData("10 parsecs")]
    [InlineData("")]
    public void Duration_NotATime_NamesTheFlagAndValue(string text)
    {
        var e = Assert.Throws<FormatException>(() => CaptureCommand.ParseDuration(text));
        Assert.Contains($"invalid --duration \"{text}\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Line_TimeWithMicroseconds_InterfaceOnlyWhenSeveral()
    {
        var packet = new CapturePacket { InterfaceName = "br0", TimestampMicroseconds = 1_700_000_000_123_456, Summary = "IP 10.0.0.1 > 10.0.0.2: ICMP echo request" };

        Assert.Matches(@"^\d\d:\d\d:\d\d\.123456 IP 10\.0\.0\.1", CaptureCommand.Line(packet, withInterface: false));
        Assert.Matches(@"^\d\d:\d\d:\d\d\.123456 br0 IP 10\.0\.0\.1", CaptureCommand.Line(packet, withInterface: true));
    }

    [Fact]
    public void Parse_FlagsOfCapture()
    {
        var parse = CliApp.Parse(new CliContext(), "debug", "capture", "network:web", "--filter", "icmp", "-c", "5", "--duration", "3s", "-w", "/tmp/x.pcap", "--json", "-s", "96");

        Assert.Empty(parse.Errors);
        Assert.Equal("network:web", parse.GetValue(CaptureCommand.Target));
        Assert.Equal("icmp", parse.GetValue(CaptureCommand.Filter));
        Assert.Equal(5, parse.GetValue(CaptureCommand.Count));
        Assert.Equal("3s", parse.GetValue(CaptureCommand.Duration));
        Assert.Equal("/tmp/x.pcap", parse.GetValue(CaptureCommand.Write));
        Assert.True(parse.GetValue(CaptureCommand.Json));
        Assert.Equal(96, parse.GetValue(CaptureCommand.Snaplen));
    }
}
