using System.Runtime.InteropServices;

namespace Netstack.Linux;

internal static partial class Interop
{
    // include/uapi/linux/mount.h
    internal const ulong MS_BIND = 4096;
    internal const ulong MS_REC = 16384;
    internal const ulong MS_PRIVATE = 1 << 18;
    internal const ulong MS_SLAVE = 1 << 19;
    internal const ulong MS_SHARED = 1 << 20;
    internal const int MNT_DETACH = 2;

    [LibraryImport(Libraries.Libc, EntryPoint = "mount", SetLastError = true)]
    internal static unsafe partial int Mount(byte* source, byte* target, byte* fsType, ulong flags, void* data);

    [LibraryImport(Libraries.Libc, EntryPoint = "umount2", SetLastError = true)]
    internal static unsafe partial int Umount2(byte* target, int flags);
}
