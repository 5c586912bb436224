using System.Runtime.InteropServices;

namespace Netstack.Linux;

internal static partial class Interop
{
    // The syscall numbers of pidfd_send_signal and pidfd_open are the same on every architecture
    // (asm-generic/unistd.h: 424 and 434, Linux 5.1 and 5.3).
    internal const long SYS_pidfd_send_signal = 424;
    internal const long SYS_pidfd_open = 434;

    [LibraryImport(Libraries.Libc, EntryPoint = "syscall", SetLastError = true)]
    internal static partial int PidFdOpen(long number, int pid, uint flags);

    [LibraryImport(Libraries.Libc, EntryPoint = "syscall", SetLastError = true)]
    internal static partial int PidFdSendSignal(long number, int pidfd, int signal, nint info, uint flags);
}
