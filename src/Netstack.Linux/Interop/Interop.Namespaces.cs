using System.Runtime.InteropServices;

namespace Netstack.Linux;

internal static partial class Interop
{
    // include/uapi/linux/sched.h
    internal const int CLONE_NEWNET = 0x40000000;

    /// <summary>Moves the calling thread into the namespace behind <paramref name="fd"/>.</summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "setns", SetLastError = true)]
    internal static partial int SetNs(SafeFileDescriptor fd, int nsType);

    /// <summary>Gives the calling thread a new namespace of the kinds in <paramref name="flags"/>.</summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "unshare", SetLastError = true)]
    internal static partial int Unshare(int flags);

    [LibraryImport(Libraries.Libc, EntryPoint = "gettid")]
    internal static partial int GetTid();
}
