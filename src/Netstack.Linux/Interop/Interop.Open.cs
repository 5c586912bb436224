using System.Runtime.InteropServices;

namespace Netstack.Linux;

internal static partial class Interop
{
    internal const int O_RDONLY = 0;
    internal const int O_CREAT = 0x40;
    internal const int O_EXCL = 0x80;
    internal const int O_CLOEXEC = 0x80000;

    [LibraryImport(Libraries.Libc, EntryPoint = "open", SetLastError = true)]
    internal static unsafe partial int Open(byte* path, int flags, int mode);

    [LibraryImport(Libraries.Libc, EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int fd);
}
