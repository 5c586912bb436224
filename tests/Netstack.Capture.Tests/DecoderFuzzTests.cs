using CsCheck;
using Netstack.Capture.Decoding;
using Xunit;

namespace Netstack.Capture.Tests;

/// <summary>
/// Frames nobody should send: random bytes, valid frames cut at every length, valid frames with
/// bytes overwritten, VXLAN carrying garbage. The decoder must answer every one with a summary and
/// layers, and mark a frame malformed exactly when a header was cut.
/// </summary>
public sealed class DecoderFuzzTests
{
    // Each valid frame with where its last decoded header ends, counted from the layouts (RFC sizes):
    // a cut before that point must be reported; past it is payload that is shown, not parsed.
    private static readonly (byte[] Frame, int HeadersEnd)[] ValidWithHeaders =
    [
        // Ethernet 14 + IPv4 20 + UDP 8 + VXLAN 8 + inner Ethernet 14 + IPv4 20 + ICMP 8
        (Frames.OverlayPing(), 92),
        // Ethernet 14 + IPv4 20 + TCP 20
        (Frames.Ip4Frame("10.20.0.2", "10.20.0.3", 6, Frames.Tcp(40000, 80, 1, 0, 0x002)), 54),
        // DNS messages are parsed whole: every byte counts.
        (Frames.Ip4Frame("10.20.0.2", "127.0.0.11", 17, Frames.Udp(33000, 53, Frames.Dns(7, "web.example"))), -1),
        (Frames.Ip4Frame("127.0.0.11", "10.20.0.2", 17, Frames.Udp(53, 33000, Frames.Dns(7, "web", System.Net.IPAddress.Parse("10.1.1.1")))), -1),
        // Ethernet 14 + ARP for IPv4 28
        (Frames.ArpRequest(System.Net.IPAddress.Parse("10.20.0.2"), System.Net.IPAddress.Parse("10.20.0.1")), 42),
        // Ethernet 14 + IPv6 40 + ICMPv6 type, code, checksum 4
        (Frames.Ethernet(0x86dd, Frames.IPv6(System.Net.IPAddress.Parse("fd00::2"), System.Net.IPAddress.Parse("fd00::3"), 58, Frames.IcmpEcho(true, 1, 1, v6: true))), 58),
        // Ethernet 14 + 802.1Q 4 + IPv4 20 + UDP 8
        (Frames.Vlan(5, 0x0800, Frames.IPv4(System.Net.IPAddress.Parse("10.1.0.1"), System.Net.IPAddress.Parse("10.1.0.2"), 17, Frames.Udp(1, 2, [9]))), 46),
    ];

    private static readonly byte[][] Valid = [.. ValidWithHeaders.Select(v => v.Frame)];

    private static void MustDecode(byte[] frame, int length)
    {
        var decoded = FrameDecoder.Decode(frame, length, length, CaptureNames.None);
        Assert.NotEmpty(decoded.Layers);
        Assert.False(string.IsNullOrEmpty(decoded.Summary));
    }

    [Fact]
    public void RandomBytes_NeverThrow() =>
        Gen.Byte.Array[0, 300].Sample(bytes => MustDecode(bytes, bytes.Length), iter: 5000);

    [Fact]
    public void ValidFramesWithBytesOverwritten_NeverThrow() =>
        Gen.Select(Gen.Int[0, Valid.Length - 1], Gen.Select(Gen.Int[0, 200], Gen.Byte).Array[1, 12]).Sample((index, edits) =>
        {
            var frame = (byte[])Valid[index].Clone();
            foreach (var (position, value) in edits)
            {
                frame[position % frame.Length] = value;
            }
            MustDecode(frame, frame.Length);
        }, iter: 10000);

    [Fact]
    public void VxlanWithGarbageInside_NeverThrows_AndIsShownAsVxlan() =>
        Gen.Byte.Array[0, 120].Sample(inner =>
        {
            var frame = Frames.Ip4Frame("192.168.50.1", "192.168.50.2", 17, Frames.Udp(40000, 4789, Frames.Vxlan(4096, inner)));
            var decoded = FrameDecoder.Decode(frame, frame.Length, frame.Length, CaptureNames.None);
            Assert.Contains(decoded.Layers, l => l.Protocol == "vxlan");
            Assert.Contains("VXLAN vni 4096", decoded.Summary, StringComparison.Ordinal);
        }, iter: 3000);

    [Fact]
    public void EveryValidFrame_CutAtEveryLengthInsideItsHeaders_IsMalformed_NeverThrows()
    {
        var cuts = 0;
        foreach (var (frame, headersEnd) in ValidWithHeaders)
        {
            var whole = FrameDecoder.Decode(frame, frame.Length, frame.Length, CaptureNames.None);
            Assert.False(whole.Malformed, whole.Summary);
            var end = headersEnd < 0 ? frame.Length : headersEnd;
            for (var length = 0; length < frame.Length; length++)
            {
                var decoded = FrameDecoder.Decode(frame[..length], length, length, CaptureNames.None);
                cuts++;
                if (length < end)
                {
                    Assert.True(decoded.Malformed, $"cut at {length} of {frame.Length} not reported: {decoded.Summary}");
                }
                else
                {
                    Assert.False(decoded.Malformed, $"cut at {length} of {frame.Length}, in the payload, reported: {decoded.Summary}");
                }
            }
        }
        Assert.True(cuts > 500, $"only {cuts} cuts");
    }
}
