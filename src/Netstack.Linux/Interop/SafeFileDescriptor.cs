using System.Runtime.InteropServices;

namespace Netstack.Linux;

/// <summary>Owns a Linux file descriptor (a socket or a namespace file) and closes it once.</summary>
internal sealed class SafeFileDescriptor : SafeHandle
{
    public SafeFileDescriptor()
        : base(new IntPtr(-1), ownsHandle: true)
    {
    }

    internal SafeFileDescriptor(int fd)
        : base(new IntPtr(-1), ownsHandle: true)
    {
        SetHandle(new IntPtr(fd));
    }

    public override bool IsInvalid => handle.ToInt64() < 0;

    internal int Value => (int)handle.ToInt64();

    protected override bool ReleaseHandle() => Interop.Close((int)handle.ToInt64()) == 0;
}
