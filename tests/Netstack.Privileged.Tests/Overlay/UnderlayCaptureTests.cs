using Xunit;

namespace Netstack.Privileged.Tests.Overlay;

/// <summary>The capture's frame decoding, on frames built by hand: it must tell a tunnelled ARP from a tunnelled echo.</summary>
public sealed class UnderlayCaptureTests
{
    [Theory]
    [InlineData(0x0806, 0, FrameKind.VxlanArp)]
    [InlineData(0x0800, 1, FrameKind.VxlanIcmp)]
    [InlineData(0x0800, 6, FrameKind.VxlanOther)]
    public void Classify_VxlanFrame_ByInnerEtherType(int innerType, byte innerProtocol, FrameKind expected)
    {
        Assert.Equal(expected, UnderlayCapture.Classify(VxlanFrame(4789, (ushort)innerType, innerProtocol), 4789));
    }

    [Fact]
    public void Classify_OtherUdpPort_IsNotVxlan()
    {
        Assert.Equal(FrameKind.Other, UnderlayCapture.Classify(VxlanFrame(53, 0x0806, 0), 4789));
    }

    [Fact]
    public void Classify_PlainArpOnTheUnderlay_IsNotVxlan()
    {
        var frame = new byte[60];
        frame[12] = 0x08;
        frame[13] = 0x06;

        Assert.Equal(FrameKind.Other, UnderlayCapture.Classify(frame, 4789));
    }

    /// <summary>Outer Ethernet 14 + IPv4 20 + UDP 8 + VXLAN 8 + inner Ethernet 14 + inner IPv4 20.</summary>
    private static byte[] VxlanFrame(ushort port, ushort innerType, byte innerProtocol)
    {
        var frame = new byte[14 + 20 + 8 + 8 + 14 + 20];
        frame[12] = 0x08; // outer EtherType IPv4
        frame[14] = 0x45; // IPv4, header 5 words
        frame[14 + 9] = 17; // UDP
        frame[14 + 20 + 2] = (byte)(port >> 8);
        frame[14 + 20 + 3] = (byte)port;
        frame[14 + 20 + 8] = 0x08; // VXLAN flags: VNI present
        var inner = 14 + 20 + 8 + 8;
        frame[inner + 12] = (byte)(innerType >> 8);
        frame[inner + 13] = (byte)innerType;
        frame[inner + 14] = 0x45;
        frame[inner + 14 + 9] = innerProtocol;
        return frame;
    }
}
