using System.Net;
using CsCheck;
using Netstack.Daemon.Dns;
using Xunit;

namespace Netstack.Api.Tests.Dns;

/// <summary>The endpoint_table value: round trip, and every malformed value refused with a FormatException.</summary>
public sealed class EndpointTableRecordTests
{
    private static readonly EndpointTableRecord Web = new("web", ["www", "Front"], ["web", "www", "Front", "abcdef123456"], IPAddress.Parse("10.1.0.3"), IPAddress.Parse("fd01::3"));

    [Fact]
    public void Encode_Decode_RoundTrip()
    {
        var decoded = EndpointTableRecord.Decode(Web.Encode());

        Assert.Equal("web", decoded.Name);
        Assert.Equal(Web.Aliases, decoded.Aliases);
        Assert.Equal(Web.DnsNames, decoded.DnsNames);
        Assert.Equal(Web.IPv4, decoded.IPv4);
        Assert.Equal(Web.IPv6, decoded.IPv6);
        Assert.Equal(["web", "www", "front", "abcdef123456"], decoded.AllNames());
        Assert.Equal([IPAddress.Parse("10.1.0.3"), IPAddress.Parse("fd01::3")], decoded.Addresses());
    }

    [Fact]
    public void Encode_NoAddresses_RoundTrip()
    {
        var decoded = EndpointTableRecord.Decode(new EndpointTableRecord("x", [], [], null, null).Encode());

        Assert.Null(decoded.IPv4);
        Assert.Null(decoded.IPv6);
        Assert.Empty(decoded.Addresses());
    }

    [Fact]
    public void Decode_EveryTruncation_FormatException()
    {
        var bytes = Web.Encode();
        for (var length = 0; length < bytes.Length; length++)
        {
            var cut = bytes[..length];
            Assert.ThrowsAny<FormatException>(() => EndpointTableRecord.Decode(cut));
        }
    }

    [Fact]
    public void Decode_Version1WithTrailingBytes_FormatException()
    {
        var e = Assert.Throws<FormatException>(() => EndpointTableRecord.Decode([.. Web.Encode(), 7]));

        Assert.Contains("1 bytes after the last field", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_LaterVersionWithAppendedFields_ReadsTheKnownOnes()
    {
        var bytes = Web.Encode();
        bytes[0] = 2;

        var decoded = EndpointTableRecord.Decode([.. bytes, 1, 2, 3]);

        Assert.Equal("web", decoded.Name);
        Assert.Equal(Web.IPv6, decoded.IPv6);
    }

    [Theory]
    [InlineData(new byte[] { 0, 0, 0, 0, 0, 0 }, "version 0")]
    [InlineData(new byte[] { 1, 2, 0xc3, 0x28, 0, 0, 0, 0 }, "not UTF-8")]
    [InlineData(new byte[] { 1, 1, (byte)'a', 0, 0, 5, 1, 2, 3, 4, 5, 0 }, "IPv4 address of 5 bytes")]
    [InlineData(new byte[] { 1, 1, (byte)'a', 0, 0, 0, 4, 1, 2, 3, 4 }, "IPv6 address of 4 bytes")]
    [InlineData(new byte[] { 1, 1, (byte)'a', 1, 0, 0, 0, 0 }, "alias 0 is empty")]
    [InlineData(new byte[] { 1, 3, (byte)'a', (byte)'.', (byte)'.', 0, 0, 0, 0 }, "endpoint record name")]
    public void Decode_Malformed_FormatExceptionSayingWhat(byte[] value, string expected)
    {
        var e = Assert.ThrowsAny<FormatException>(() => EndpointTableRecord.Decode(value));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Encode_NameLongerThan255Bytes_ArgumentExceptionNamingIt()
    {
        var e = Assert.Throws<ArgumentException>(() => new EndpointTableRecord(new string('a', 256), [], [], null, null).Encode());

        Assert.Contains("longer than 255 bytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_RandomBytes_OnlyFormatException()
    {
        Gen.Byte.Array[0, 64].Sample(bytes =>
        {
            try
            {
                EndpointTableRecord.Decode(bytes);
            }
            catch (FormatException)
            {
            }
        });
    }

    [Fact]
    public void Decode_MutatedRecord_OnlyFormatException()
    {
        var bytes = Web.Encode();
        Gen.Select(Gen.Int[0, bytes.Length - 1], Gen.Byte).Sample((index, value) =>
        {
            var copy = (byte[])bytes.Clone();
            copy[index] = value;
            try
            {
                EndpointTableRecord.Decode(copy);
            }
            catch (FormatException)
            {
            }
        });
    }
}
