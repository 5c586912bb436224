using System.Runtime.InteropServices;

namespace Netstack.Linux;

internal static partial class Interop
{
    [LibraryImport(Libraries.Libc, EntryPoint = "fchmod", SetLastError = true)]
    internal static partial int Fchmod(nint fd, uint mode);

    [LibraryImport(Libraries.Libc, EntryPoint = "chown", SetLastError = true)]
    internal static unsafe partial int Chown(byte* path, uint owner, uint group);

    /// <summary><c>struct group</c> of glibc on 64-bit Linux: name, password, gid, members.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct Group
    {
        internal nint Name;
        internal nint Password;
        internal uint Gid;
        internal nint Members;
    }

    [LibraryImport(Libraries.Libc, EntryPoint = "getgrnam_r", SetLastError = true)]
    internal static unsafe partial int GetGrNamR(byte* name, Group* group, byte* buffer, nuint size, Group** result);
}
