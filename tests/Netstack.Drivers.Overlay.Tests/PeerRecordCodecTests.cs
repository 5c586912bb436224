using System.Net;
using System.Net.NetworkInformation;
using Xunit;

namespace Netstack.Drivers.Overlay.Tests;

public sealed class PeerRecordCodecTests
{
    private static readonly PeerRecord Sample = new(IPAddress.Parse("10.77.0.2"), 24, PhysicalAddress.Parse("02-42-0a-4d-00-02"), IPAddress.Parse("192.168.77.1"));

    [Fact]
    public void Encode_ThenDecode_GivesTheRecordBack()
    {
        var bytes = PeerRecordCodec.Encode(Sample);

        Assert.True(PeerRecordCodec.TryDecode(bytes, out var decoded, out var error), error);
        Assert.Equal(Sample, decoded);
    }

    [Fact]
    public void Encode_IPv4Record_IsTwentyBytesWithVersionFirst()
    {
        var bytes = PeerRecordCodec.Encode(Sample);

        Assert.Equal(1 + 1 + 4 + 1 + 6 + 1 + 4, bytes.Length);
        Assert.Equal(PeerRecordCodec.Version, bytes[0]);
    }

    [Fact]
    public void Decode_IPv6Vtep_RoundTrips()
    {
        var record = Sample with { Vtep = IPAddress.Parse("fd00::1") };

        Assert.True(PeerRecordCodec.TryDecode(PeerRecordCodec.Encode(record), out var decoded, out _));
        Assert.Equal(record, decoded);
    }

    [Fact]
    public void Decode_TrailingBytes_AreIgnored()
    {
        var bytes = PeerRecordCodec.Encode(Sample).Concat(new byte[] { 9, 9, 9 }).ToArray();

        Assert.True(PeerRecordCodec.TryDecode(bytes, out var decoded, out _));
        Assert.Equal(Sample, decoded);
    }

    [Fact]
    public void Decode_EveryTruncation_FailsWithAReason()
    {
        var bytes = PeerRecordCodec.Encode(Sample);
        for (var length = 0; length < bytes.Length; length++)
        {
            Assert.False(PeerRecordCodec.TryDecode(bytes.AsSpan(0, length), out var record, out var error));
            Assert.Null(record);
            Assert.False(string.IsNullOrEmpty(error));
        }
    }

    [Fact]
    public void Decode_UnknownVersion_Fails()
    {
        var bytes = PeerRecordCodec.Encode(Sample);
        bytes[0] = 2;

        Assert.False(PeerRecordCodec.TryDecode(bytes, out _, out var error));
        Assert.Contains("version 2", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, 5)]   // address length neither 4 nor 16
    [InlineData(6, 33)]  // IPv4 prefix longer than 32
    [InlineData(7, 0x01)] // multicast MAC
    [InlineData(13, 0)]  // VTEP length 0
    public void Decode_BadField_Fails(int offset, byte value)
    {
        var bytes = PeerRecordCodec.Encode(Sample);
        bytes[offset] = value;

        Assert.False(PeerRecordCodec.TryDecode(bytes, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void Decode_RandomGarbage_NeverThrows()
    {
        var random = new Random(7);
        for (var i = 0; i < 10_000; i++)
        {
            var bytes = new byte[random.Next(0, 40)];
            random.NextBytes(bytes);
            if (bytes.Length > 0 && random.Next(2) == 0)
            {
                bytes[0] = PeerRecordCodec.Version;
            }

            var ok = PeerRecordCodec.TryDecode(bytes, out var record, out var error);

            Assert.True(ok ? record is not null && error is null : record is null && error is not null);
        }
    }
}
