using System.Runtime.InteropServices;

namespace Netstack.Linux;

internal static partial class Interop
{
    internal const int AF_UNSPEC = 0;
    internal const int AF_INET = 2;
    internal const int AF_BRIDGE = 7;
    internal const int AF_INET6 = 10;
    internal const int AF_NETLINK = 16;

    internal const int SOCK_RAW = 3;
    internal const int SOCK_CLOEXEC = 0x80000;

    [LibraryImport(Libraries.Libc, EntryPoint = "socket", SetLastError = true)]
    internal static partial int Socket(int domain, int type, int protocol);

    [LibraryImport(Libraries.Libc, EntryPoint = "bind", SetLastError = true)]
    internal static unsafe partial int Bind(SafeFileDescriptor fd, byte* address, uint addressLength);

    [LibraryImport(Libraries.Libc, EntryPoint = "getsockname", SetLastError = true)]
    internal static unsafe partial int GetSockName(SafeFileDescriptor fd, byte* address, uint* addressLength);
}
