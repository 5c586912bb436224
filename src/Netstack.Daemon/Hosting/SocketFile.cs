using System.Net.Sockets;

namespace Netstack.Daemon.Hosting;

/// <summary>The API socket file: stale ones are removed before binding, the live one gets mode 0660.</summary>
internal static class SocketFile
{
    /// <summary>rw for owner and group (0660): the group may drive the daemon, nobody else.</summary>
    public const UnixFileMode Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite;

    /// <summary>
    /// Makes the socket's directory and removes a socket left by a daemon that died. A socket that
    /// still answers belongs to a live daemon: that is an error, never silently taken over.
    /// </summary>
    /// <returns>True when a stale socket was removed.</returns>
    /// <exception cref="InvalidOperationException">Another daemon listens, or the path is not a socket.</exception>
    public static bool Prepare(string path, string flag = "--host")
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (!File.Exists(path))
        {
            return false;
        }
        // A socket has no size; anything with content (or a directory) was not left by a daemon.
        if (File.GetAttributes(path).HasFlag(FileAttributes.Directory) || new FileInfo(path).Length != 0)
        {
            throw new InvalidOperationException($"host path {path} exists and is not a socket");
        }
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
        }
        catch (SocketException)
        {
            // ECONNREFUSED: nobody listens; the file is what a killed daemon left.
            File.Delete(path);
            return true;
        }
        throw new InvalidOperationException($"another daemon is listening on unix://{path}: stop it first or choose another {flag}");
    }

    public static void SetMode(string path) => File.SetUnixFileMode(path, Mode);

    /// <summary>Deletes the socket file at stop; already gone is fine.</summary>
    public static void Remove(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort at shutdown: the next start removes a stale socket anyway.
        }
        catch (UnauthorizedAccessException)
        {
            // As above.
        }
    }
}
