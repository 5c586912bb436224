using System.Runtime.InteropServices;

namespace Netstack.Linux;

internal static partial class Interop
{
    internal const int MSG_PEEK = 0x2;
    internal const int MSG_TRUNC = 0x20;
    internal const int MSG_DONTWAIT = 0x40;

    [LibraryImport(Libraries.Libc, EntryPoint = "send", SetLastError = true)]
    internal static unsafe partial nint Send(SafeFileDescriptor fd, byte* buffer, nuint length, int flags);

    [LibraryImport(Libraries.Libc, EntryPoint = "recv", SetLastError = true)]
    internal static unsafe partial nint Recv(SafeFileDescriptor fd, byte* buffer, nuint length, int flags);
}
