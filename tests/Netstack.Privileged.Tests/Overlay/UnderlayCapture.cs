using System.Buffers.Binary;
using System.Net.Sockets;
using Netstack.Linux;

namespace Netstack.Privileged.Tests.Overlay;

/// <summary>
/// Counts the VXLAN frames crossing a host namespace's interfaces with a raw AF_PACKET socket
/// (ETH_P_ALL: every frame, sent and received), opened inside the namespace. Frames are decoded as
/// outer Ethernet / IPv4 / UDP to the VXLAN port / VXLAN header / inner Ethernet, and counted by the
/// inner EtherType: what a container sent through the tunnel.
/// </summary>
internal sealed class UnderlayCapture : IDisposable
{
    // htons(ETH_P_ALL): the protocol field of an AF_PACKET socket is in network byte order.
    private const int EthPAllNetworkOrder = 0x0300;
    private const int EthernetHeader = 14;
    private const int VxlanHeader = 8;

    private readonly Socket _socket;
    private readonly ushort _port;

    private UnderlayCapture(Socket socket, ushort port)
    {
        _socket = socket;
        _port = port;
    }

    public int InnerArp { get; private set; }

    public int InnerIcmp { get; private set; }

    public int VxlanFrames { get; private set; }

    public static UnderlayCapture Start(NetworkNamespace host, ushort port = 4789) =>
        new(host.Run(() => new Socket(AddressFamily.Packet, SocketType.Raw, (ProtocolType)EthPAllNetworkOrder)), port);

    /// <summary>Reads every frame queued so far (the socket buffers what arrived since <see cref="Start"/>).</summary>
    public void Drain()
    {
        var buffer = new byte[65536];
        while (_socket.Available > 0)
        {
            var length = _socket.Receive(buffer);
            Count(buffer.AsSpan(0, length));
        }
    }

    public void Dispose() => _socket.Dispose();

    /// <summary>What a frame is: not VXLAN on the port, or VXLAN carrying ARP, ICMP or something else.</summary>
    public static FrameKind Classify(ReadOnlySpan<byte> frame, ushort port)
    {
        if (frame.Length < EthernetHeader + 20 || BinaryPrimitives.ReadUInt16BigEndian(frame[12..]) != 0x0800)
        {
            return FrameKind.Other;
        }
        var ip = frame[EthernetHeader..];
        var headerLength = (ip[0] & 0x0f) * 4;
        if (ip[9] != 17 || ip.Length < headerLength + 8)
        {
            return FrameKind.Other;
        }
        var udp = ip[headerLength..];
        if (BinaryPrimitives.ReadUInt16BigEndian(udp[2..]) != port || udp.Length < 8 + VxlanHeader + EthernetHeader)
        {
            return FrameKind.Other;
        }
        var inner = udp[(8 + VxlanHeader)..];
        return BinaryPrimitives.ReadUInt16BigEndian(inner[12..]) switch
        {
            0x0806 => FrameKind.VxlanArp,
            0x0800 when inner.Length > EthernetHeader + 9 && inner[EthernetHeader + 9] == 1 => FrameKind.VxlanIcmp,
            _ => FrameKind.VxlanOther,
        };
    }

    private void Count(ReadOnlySpan<byte> frame)
    {
        var kind = Classify(frame, _port);
        if (kind == FrameKind.Other)
        {
            return;
        }
        VxlanFrames++;
        InnerArp += kind == FrameKind.VxlanArp ? 1 : 0;
        InnerIcmp += kind == FrameKind.VxlanIcmp ? 1 : 0;
    }
}

public enum FrameKind
{
    Other,
    VxlanArp,
    VxlanIcmp,
    VxlanOther,
}
