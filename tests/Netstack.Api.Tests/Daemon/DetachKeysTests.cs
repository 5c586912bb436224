using System.Text;
using Netstack.Daemon.Http;
using Xunit;

namespace Netstack.Api.Tests.Daemon;

public sealed class DetachKeysTests
{
    [Fact]
    public void Parse_Default_IsCtrlPCtrlQ()
    {
        Assert.Equal(new byte[] { 0x10, 0x11 }, DetachKeys.Parse(null).Sequence);
        Assert.Equal(new byte[] { 0x10, 0x11 }, DetachKeys.Parse("").Sequence);
        Assert.Equal(new byte[] { 0x1b, (byte)'x', 0x01 }, DetachKeys.Parse("ctrl-[,x,ctrl-a").Sequence);
    }

    [Theory]
    [InlineData("ctrl-1")]
    [InlineData("ctrl-")]
    [InlineData("xy")]
    [InlineData("ctrl-p,,ctrl-q")]
    public void Parse_BadKey_Is400NamingTheFieldAndTheKey(string keys)
    {
        var error = Assert.Throws<ApiError>(() => DetachKeys.Parse(keys));
        Assert.Equal(400, error.StatusCode);
        Assert.Contains("detachKeys", error.Message, StringComparison.Ordinal);
        Assert.Contains(keys, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Scanner_FullSequence_Detaches_NothingOfItIsForwarded()
    {
        var scanner = DetachKeys.Parse(null).NewScanner();
        var (forward, detached) = scanner.Feed("ls\r\u0010\u0011after"u8);
        Assert.True(detached);
        Assert.Equal("ls\r", Encoding.ASCII.GetString(forward));
    }

    [Fact]
    public void Scanner_SequenceSplitAcrossReads_StillDetaches()
    {
        var scanner = DetachKeys.Parse(null).NewScanner();
        var first = scanner.Feed("a\u0010"u8);
        Assert.False(first.Detached);
        Assert.Equal("a", Encoding.ASCII.GetString(first.Forward)); // ctrl-p held back
        var second = scanner.Feed("\u0011"u8);
        Assert.True(second.Detached);
        Assert.Empty(second.Forward);
    }

    [Fact]
    public void Scanner_BrokenSequence_ForwardsWhatWasHeldBack()
    {
        var scanner = DetachKeys.Parse(null).NewScanner();
        var (forward, detached) = scanner.Feed("\u0010x\u0010\u0010\u0011"u8);
        Assert.True(detached);
        Assert.Equal("\u0010x\u0010", Encoding.ASCII.GetString(forward));
    }
}
