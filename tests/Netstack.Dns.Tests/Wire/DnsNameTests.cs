using Netstack.Dns.Wire;
using Xunit;

namespace Netstack.Dns.Tests.Wire;

public class DnsNameTests
{
    [Theory]
    [InlineData("example.com", "076578616d706c6503636f6d00")]
    [InlineData("example.com.", "076578616d706c6503636f6d00")]
    [InlineData("", "00")]
    [InlineData(".", "00")]
    [InlineData(@"a\.b.c", "03612e620163" + "00")]
    [InlineData(@"x\032y", "0378207900")]
    public void Encode_TextName_GivesWireForm(string text, string hex)
    {
        var buffer = new byte[300];

        var length = DnsName.Encode(text, buffer);

        Assert.Equal(hex, Convert.ToHexString(buffer, 0, length).ToLowerInvariant());
    }

    [Theory]
    [InlineData(@"a\.b.c")]
    [InlineData(@"x\032y.z")]
    [InlineData(@"back\\slash.local")]
    [InlineData("MiXeD.Case")]
    public void Read_AfterEncode_GivesTheSameText(string text)
    {
        var buffer = new byte[300];
        DnsName.Encode(text, buffer);
        var offset = 0;

        Assert.Equal(text, DnsName.Read(buffer, ref offset));
    }

    [Fact]
    public void Encode_LabelOf64Bytes_IsRejected()
    {
        var name = new string('a', 64) + ".local";

        var error = Assert.Throws<DnsFormatException>(() => DnsName.Encode(name, new byte[300]));

        Assert.Equal(DnsFormatError.BadLabel, error.Error);
    }

    [Fact]
    public void Encode_LabelOf63Bytes_IsAccepted()
    {
        Assert.Equal(63 + 1 + 6 + 1, DnsName.Encode(new string('a', 63) + ".local", new byte[300]));
    }

    [Fact]
    public void Encode_NameOf255WireBytes_IsAcceptedAnd256Rejected()
    {
        // Four labels of 62 bytes = 4 * 63 = 252 wire bytes; + "ab" (3) + root (1) = 256, + "a" (2) + root = 255.
        var label = new string('x', 62);
        var fits = $"{label}.{label}.{label}.{label}.a";
        var tooLong = $"{label}.{label}.{label}.{label}.ab";

        Assert.Equal(255, DnsName.WireLength(fits));
        Assert.Equal(DnsFormatError.NameTooLong, Assert.Throws<DnsFormatException>(() => DnsName.WireLength(tooLong)).Error);
    }

    [Theory]
    [InlineData("a..b")]
    [InlineData(".a")]
    [InlineData(@"a\")]
    [InlineData(@"a\99")]
    [InlineData(@"a\300")]
    [InlineData("caf\u00e9")]
    public void Encode_BadText_IsRejectedWithTheName(string text)
    {
        var error = Assert.Throws<DnsFormatException>(() => DnsName.Encode(text, new byte[300], "container name"));

        Assert.Contains("container name", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToLowerAscii_LowersOnlyAsciiLetters()
    {
        Assert.Equal(@"web-1.example\0.x", DnsName.ToLowerAscii(@"WEB-1.Example\0.X"));
    }
}
