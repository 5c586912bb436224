using System.Globalization;
using System.Net.Sockets;

namespace Netstack.Linux.Files;

/// <summary>
/// Who may open a unix socket file: its mode set before the file exists, its group, and group
/// names resolved through the system's group database (NSS, as <c>getgrnam</c>).
/// </summary>
public static class SocketFiles
{
    /// <summary>
    /// A stream socket bound at <paramref name="path"/> whose file is created with at most
    /// <paramref name="mode"/> (and the umask): Linux gives the new file the socket's own inode
    /// mode, so an fchmod before bind closes the window in which a chmod after bind would leave
    /// the umask's wider mode.
    /// </summary>
    public static Socket BindUnixStream(string path, UnixFileMode mode)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            if (Interop.Fchmod(socket.Handle, (uint)mode) != 0)
            {
                throw new IOException($"fchmod of the socket for {path}: {ErrnoText.Describe(ErrnoText.Last())}");
            }
            socket.Bind(new UnixDomainSocketEndPoint(path));
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The group id of <paramref name="group"/>: a number as it is, a name looked up; null when there is no such group.</summary>
    public static unsafe uint? LookupGroup(string group)
    {
        ArgumentException.ThrowIfNullOrEmpty(group);
        if (uint.TryParse(group, NumberStyles.None, CultureInfo.InvariantCulture, out var gid))
        {
            return gid;
        }
        var name = Utf8Path.Of(group);
        var buffer = new byte[16 * 1024];
        Interop.Group entry;
        Interop.Group* result;
        fixed (byte* n = name)
        fixed (byte* b = buffer)
        {
            var rc = Interop.GetGrNamR(n, &entry, b, (nuint)buffer.Length, &result);
            if (rc != 0)
            {
                throw new IOException($"looking up group \"{group}\": {ErrnoText.Describe((Errno)rc)}");
            }
            return result == null ? null : entry.Gid;
        }
    }

    /// <summary>Gives <paramref name="path"/> the group <paramref name="gid"/>, its owner unchanged.</summary>
    public static unsafe void SetGroup(string path, uint gid)
    {
        var p = Utf8Path.Of(path);
        fixed (byte* ptr = p)
        {
            if (Interop.Chown(ptr, uint.MaxValue, gid) != 0)
            {
                throw new IOException($"chown of {path} to group {gid}: {ErrnoText.Describe(ErrnoText.Last())}");
            }
        }
    }
}
