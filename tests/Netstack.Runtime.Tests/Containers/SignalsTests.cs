using Netstack.Runtime.Containers;
using Xunit;

namespace Netstack.Runtime.Tests.Containers;

public sealed class SignalsTests
{
    [Theory]
    [InlineData("SIGKILL", 9)]
    [InlineData("KILL", 9)]
    [InlineData("sigterm", 15)]
    [InlineData("HUP", 1)]
    [InlineData("15", 15)]
    [InlineData("64", 64)]
    public void Parse_NameOrNumber_GivesLinuxNumber(string signal, int expected) => Assert.Equal(expected, Signals.Parse(signal));

    [Theory]
    [InlineData("SIGNOPE")]
    [InlineData("0")]
    [InlineData("32")]
    [InlineData("65")]
    [InlineData("-9")]
    [InlineData("")]
    public void Parse_Unknown_ThrowsNamingIt(string signal)
    {
        var error = Assert.Throws<RuntimeException>(() => Signals.Parse(signal));
        Assert.Equal(RuntimeErrorKind.InvalidArgument, error.Kind);
        Assert.Contains($"\"{signal}\"", error.Message, StringComparison.Ordinal);
    }
}
