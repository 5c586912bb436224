using System.Net.Sockets;
using Netstack.Linux;

namespace Netstack.Runtime.Containers;

public sealed partial class ContainerRuntime
{
    /// <summary>
    /// The stdin of a running <c>-i</c> or <c>-t</c> container, from its shim's control socket the
    /// first time in a run (also after a daemon restart: the shim kept it). Throws InvalidArgument
    /// for a container without stdin, Conflict when it is not running.
    /// </summary>
    public async Task<ContainerConsole> OpenConsoleAsync(string idOrName, CancellationToken cancellationToken = default)
    {
        var entry = Find(idOrName);
        var info = entry.Info;
        if (!info.Tty && !info.OpenStdin)
        {
            throw RuntimeException.Invalid($"container {info.Name} has no stdin or terminal (OpenStdin and Tty false): create it with -i or -t");
        }
        await entry.ConsoleLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (entry.Info.State != ContainerState.Running)
            {
                throw RuntimeException.Conflict($"container {info.Name} is not running");
            }
            if (entry.Console is { } open && entry.ConsoleRun == entry.Info.PidStartTime + (ulong)entry.Info.Pid)
            {
                return open;
            }
            var (reply, handle) = await AskShimAsync(ControlSocket(info.Id), (byte)'F', cancellationToken).ConfigureAwait(false);
            var console = new ContainerConsole(reply == 'y' ? handle : null, info.Tty);
            if (reply != 'y')
            {
                handle?.Dispose();
                console.CloseInput();
            }
            entry.Console?.Dispose();
            entry.Console = console;
            entry.ConsoleRun = entry.Info.PidStartTime + (ulong)entry.Info.Pid;
            return console;
        }
        finally
        {
            entry.ConsoleLock.Release();
        }
    }

    /// <summary>
    /// Sets the terminal size of a running <c>-t</c> container. Equivalent to: docker container resize.
    /// InvalidArgument names Tty for a container without a terminal.
    /// </summary>
    public async Task ResizeAsync(string idOrName, ushort rows, ushort columns, CancellationToken cancellationToken = default)
    {
        var info = Find(idOrName).Info;
        if (!info.Tty)
        {
            throw RuntimeException.Invalid($"container {info.Name} has no terminal to resize (Tty false): create it with -t");
        }
        var console = await OpenConsoleAsync(idOrName, cancellationToken).ConfigureAwait(false);
        console.Resize(rows, columns);
    }

    /// <summary>
    /// Ends the stdin of a running <c>-i</c> container without a terminal: its process reads EOF
    /// (the daemon's and the shim's copies of the pipe's write end are closed). A terminal has no
    /// such end; nothing happens for one.
    /// </summary>
    public async Task CloseStdinAsync(string idOrName, CancellationToken cancellationToken = default)
    {
        var entry = Find(idOrName);
        if (entry.Info.Tty || !entry.Info.OpenStdin || entry.Info.State != ContainerState.Running)
        {
            return;
        }
        var console = await OpenConsoleAsync(idOrName, cancellationToken).ConfigureAwait(false);
        console.CloseInput();
        await AskShimAsync(ControlSocket(entry.Info.Id), (byte)'C', cancellationToken).ConfigureAwait(false);
    }

    internal string ControlSocket(string id) => Path.Combine(_options.ShimDir, id + ".sock");

    internal string ConsoleSocket(string id) => Path.Combine(_options.ShimDir, id + ".console");

    /// <summary>One request to a shim's control socket: the reply byte and the descriptor it carried.</summary>
    internal static async Task<(char Reply, Microsoft.Win32.SafeHandles.SafeFileHandle? Handle)> AskShimAsync(string socketPath, byte command, CancellationToken cancellationToken)
    {
        try
        {
            // Synchronous calls only, on a thread of their own: recvmsg(2) below goes around .NET's
            // socket layer, which would have made the descriptor non-blocking for an async call. The
            // shim may wait for runc to hand the terminal over.
            return await Task.Run(() =>
            {
                using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                socket.Connect(new UnixDomainSocketEndPoint(socketPath));
                socket.Send([command]);
                var reply = new byte[1];
                var (length, handle) = DescriptorPassing.Receive(socket, reply);
                return (length == 1 ? (char)reply[0] : 'n', handle);
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or NetlinkException)
        {
            throw RuntimeException.Failed($"the shim of container {Path.GetFileNameWithoutExtension(socketPath)[..12]} does not answer on {socketPath}: {e.Message}");
        }
    }
}
