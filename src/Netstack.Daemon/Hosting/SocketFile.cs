using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Netstack.Linux.Files;

namespace Netstack.Daemon.Hosting;

/// <summary>
/// The API and plugin socket files: stale ones are removed before binding, a new one is 0660 from
/// the moment it exists (never the umask's mode first) and then gets the daemon's group.
/// </summary>
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

    /// <summary>Kestrel's listen sockets: unix ones bound with the mode already set, others as Kestrel makes them.</summary>
    public static Socket CreateBoundListenSocket(EndPoint endpoint) => endpoint is UnixDomainSocketEndPoint unix
        ? SocketFiles.BindUnixStream(unix.ToString(), Mode)
        : SocketTransportOptions.CreateDefaultBoundListenSocket(endpoint);

    /// <summary>The gid of a <c>--group</c> value; null when no such group exists.</summary>
    public static uint? GroupId(string group) => SocketFiles.LookupGroup(group);

    /// <summary>Gives the bound socket its final mode (the umask may have narrowed it) and the group, when it exists.</summary>
    public static void SetAccess(string path, string group)
    {
        File.SetUnixFileMode(path, Mode);
        if (GroupId(group) is { } gid)
        {
            SocketFiles.SetGroup(path, gid);
        }
    }

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
