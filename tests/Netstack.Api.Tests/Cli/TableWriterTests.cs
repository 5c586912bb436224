using Netstack.Cli.Output;
using Xunit;

namespace Netstack.Api.Tests.Cli;

public sealed class TableWriterTests
{
    [Fact]
    public void WriteTo_PadsLikeDockersTabwriter()
    {
        var table = new TableWriter("NETWORK ID", "NAME", "DRIVER", "SCOPE");
        table.Add("0123456789ab", "web", "bridge", "local");
        table.Add("ba9876543210", "a-much-longer-name", "macvlan", "local");
        var output = new StringWriter();

        table.WriteTo(output);

        // Widths: max(10, longest + 3); the last column is not padded.
        Assert.Equal(
            "NETWORK ID     NAME                 DRIVER    SCOPE\n" +
            "0123456789ab   web                  bridge    local\n" +
            "ba9876543210   a-much-longer-name   macvlan   local\n",
            output.ToString().ReplaceLineEndings("\n"));
    }

    [Theory]
    [InlineData(0.5, "Less than a second")]
    [InlineData(1, "1 second")]
    [InlineData(45, "45 seconds")]
    [InlineData(90, "About a minute")]
    [InlineData(600, "10 minutes")]
    [InlineData(4000, "About an hour")]
    [InlineData(36000, "10 hours")]
    [InlineData(3 * 86400, "3 days")]
    public void Duration_InDockersWords(double seconds, string text)
    {
        Assert.Equal(text, HumanTime.Duration(TimeSpan.FromSeconds(seconds)));
    }
}
