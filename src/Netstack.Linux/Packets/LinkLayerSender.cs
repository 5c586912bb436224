using System.Runtime.InteropServices;

namespace Netstack.Linux;

/// <summary>
/// Writes whole Ethernet frames onto one interface of a namespace through a send-only
/// <c>AF_PACKET</c>/<c>SOCK_RAW</c> socket (protocol 0: it receives nothing). The socket is made inside
/// the namespace and stays there; frames are sent as given, header included.
/// </summary>
public sealed class LinkLayerSender : IDisposable
{
    private readonly SafeFileDescriptor _socket;
    private readonly int _interfaceIndex;

    private LinkLayerSender(SafeFileDescriptor socket, int interfaceIndex)
    {
        _socket = socket;
        _interfaceIndex = interfaceIndex;
    }

    /// <summary>Opens a sender on interface <paramref name="interfaceIndex"/> of <paramref name="ns"/>.</summary>
    public static LinkLayerSender Open(NetworkNamespace ns, int interfaceIndex)
    {
        ArgumentNullException.ThrowIfNull(ns);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(interfaceIndex);
        var fd = ns.Run(() => Interop.Socket(Interop.AF_PACKET, Interop.SOCK_RAW | Interop.SOCK_CLOEXEC, 0));
        if (fd < 0)
        {
            throw NetlinkException.Create($"packet socket in {ns}", ErrnoText.Last());
        }
        return new LinkLayerSender(new SafeFileDescriptor(fd), interfaceIndex);
    }

    /// <summary>Sends one frame (destination MAC, source MAC, EtherType, payload).</summary>
    public unsafe void Send(ReadOnlySpan<byte> frame)
    {
        if (frame.Length < 14)
        {
            throw new ArgumentException("an Ethernet frame has at least a 14-byte header", nameof(frame));
        }
        Span<byte> address = stackalloc byte[Interop.SockaddrLlSize];
        address.Clear();
        MemoryMarshal.Write(address, (ushort)Interop.AF_PACKET); // host order
        frame.Slice(12, 2).CopyTo(address[2..]); // sll_protocol, network order as in the frame
        MemoryMarshal.Write(address[4..], _interfaceIndex);
        address[11] = 6; // sll_halen
        frame[..6].CopyTo(address[12..]);
        nint sent;
        fixed (byte* f = frame)
        fixed (byte* a = address)
        {
            sent = Interop.SendTo(_socket, f, (nuint)frame.Length, 0, a, Interop.SockaddrLlSize);
        }
        if (sent < 0)
        {
            throw NetlinkException.Create($"send on interface {_interfaceIndex}", ErrnoText.Last());
        }
    }

    public void Dispose() => _socket.Dispose();
}
