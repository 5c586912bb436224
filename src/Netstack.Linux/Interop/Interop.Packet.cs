using System.Runtime.InteropServices;

namespace Netstack.Linux;

internal static partial class Interop
{
    internal const int AF_PACKET = 17;

    /// <summary>sizeof(struct sockaddr_ll).</summary>
    internal const int SockaddrLlSize = 20;

    [LibraryImport(Libraries.Libc, EntryPoint = "sendto", SetLastError = true)]
    internal static unsafe partial nint SendTo(SafeFileDescriptor fd, byte* buffer, nuint length, int flags, byte* address, uint addressLength);
}
