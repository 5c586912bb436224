using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Netstack.Linux;

/// <summary>
/// File descriptors across a unix socket (SCM_RIGHTS ancillary data, unix(7)), which .NET's
/// <see cref="Socket"/> cannot carry: how runc hands over a container's pseudo-terminal master
/// (<c>runc create --console-socket</c>) and how a container's shim hands it to the daemon.
/// </summary>
public static class DescriptorPassing
{
    // CMSG_SPACE(sizeof(int)) on 64-bit: a 16-byte cmsghdr and 4 bytes of data, aligned to 8.
    private const int ControlSpace = 24;

    /// <summary>Sends <paramref name="payload"/> with <paramref name="descriptor"/> (null: the bytes alone).</summary>
    public static void Send(Socket socket, ReadOnlySpan<byte> payload, SafeHandle? descriptor)
    {
        ArgumentNullException.ThrowIfNull(socket);
        if (payload.IsEmpty)
        {
            throw new ArgumentException("a message carrying a descriptor needs at least one byte", nameof(payload));
        }
        var added = false;
        try
        {
            descriptor?.DangerousAddRef(ref added);
            unsafe
            {
                var control = stackalloc byte[ControlSpace];
                new Span<byte>(control, ControlSpace).Clear();
                fixed (byte* data = payload)
                {
                    var iov = new Interop.IoVec { Base = data, Length = (nuint)payload.Length };
                    var message = new Interop.MsgHdr { Iov = &iov, IovLength = 1 };
                    if (descriptor is not null)
                    {
                        *(ulong*)control = 20; // cmsg_len = CMSG_LEN(sizeof(int))
                        *(int*)(control + 8) = Interop.SOL_SOCKET;
                        *(int*)(control + 12) = Interop.SCM_RIGHTS;
                        *(int*)(control + 16) = (int)descriptor.DangerousGetHandle();
                        message.Control = control;
                        message.ControlLength = ControlSpace;
                    }
                    if (Interop.SendMsg((int)socket.Handle, &message, 0) < 0)
                    {
                        throw NetlinkException.Create("send a file descriptor (sendmsg SCM_RIGHTS)", ErrnoText.Last());
                    }
                }
            }
        }
        finally
        {
            if (added)
            {
                descriptor!.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// Receives one message into <paramref name="buffer"/>: its length (0 at the peer's end) and the
    /// descriptor it carried (close-on-exec), or null when it carried none.
    /// </summary>
    public static (int Length, SafeFileHandle? Descriptor) Receive(Socket socket, Span<byte> buffer)
    {
        ArgumentNullException.ThrowIfNull(socket);
        unsafe
        {
            var control = stackalloc byte[ControlSpace * 4];
            new Span<byte>(control, ControlSpace * 4).Clear();
            fixed (byte* data = buffer)
            {
                var iov = new Interop.IoVec { Base = data, Length = (nuint)buffer.Length };
                var message = new Interop.MsgHdr { Iov = &iov, IovLength = 1, Control = control, ControlLength = ControlSpace * 4 };
                nint n;
                do
                {
                    n = Interop.RecvMsg((int)socket.Handle, &message, Interop.MSG_CMSG_CLOEXEC);
                }
                while (n < 0 && ErrnoText.Last() == Errno.EINTR);
                if (n < 0)
                {
                    throw NetlinkException.Create("receive a file descriptor (recvmsg SCM_RIGHTS)", ErrnoText.Last());
                }
                SafeFileHandle? received = null;
                if (message.ControlLength >= 20 && *(int*)(control + 8) == Interop.SOL_SOCKET && *(int*)(control + 12) == Interop.SCM_RIGHTS)
                {
                    received = new SafeFileHandle(*(int*)(control + 16), ownsHandle: true);
                }
                return ((int)n, received);
            }
        }
    }
}
