using System.Runtime.InteropServices;
using Netstack.Api.Client;

namespace Netstack.Cli.Terminal;

/// <summary>
/// One interactive session on a hijacked connection (attach or exec start): the stream's output to
/// our stdout (raw with a terminal, else demultiplexed to stdout and stderr), our stdin to the
/// stream, the local terminal in raw mode and its size sent at the start and on every SIGWINCH.
/// The daemon handles the detach keys (ctrl-p ctrl-q) and then closes the connection.
/// </summary>
internal static class InteractiveSession
{
    /// <summary>Runs until the daemon ends the stream (the process ended, or the user detached).</summary>
    public static async Task RunAsync(Stream connection, bool tty, bool sendStdin, Func<int, int, Task>? resize, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(connection);
        using var raw = tty && sendStdin && LocalTerminal.StdinIsTerminal ? LocalTerminal.Raw() : null;
        using var winch = resize is null || OperatingSystem.IsWindows() ? null : PosixSignalRegistration.Create(PosixSignal.SIGWINCH, signal => { _ = SendSizeAsync(resize); });
        if (resize is not null)
        {
            await SendSizeAsync(resize).ConfigureAwait(false);
        }
        var stdout = Console.OpenStandardOutput();
        var stderr = Console.OpenStandardError();
        await using (stdout.ConfigureAwait(false))
        await using (stderr.ConfigureAwait(false))
        {
            if (sendStdin)
            {
                // A thread of its own: a read of the terminal cannot be cancelled, and the session
                // ends with the output whether or not a key is pressed.
                var input = new Thread(() => CopyStdin(connection)) { IsBackground = true, Name = "stdin" };
                input.Start();
            }
            try
            {
                if (tty)
                {
                    await connection.CopyToAsync(stdout, ct).ConfigureAwait(false);
                }
                else
                {
                    await LogStream.DemultiplexAsync(connection, stdout, stderr, ct).ConfigureAwait(false);
                }
            }
            catch (IOException)
            {
                // The daemon closed the connection: the session is over.
            }
        }
    }

    private static async Task SendSizeAsync(Func<int, int, Task> resize)
    {
        if (LocalTerminal.Size() is { } size)
        {
            try
            {
                await resize(size.Rows, size.Columns).ConfigureAwait(false);
            }
            catch (ApiException)
            {
                // The process has ended meanwhile: nothing to resize.
            }
        }
    }

    private static void CopyStdin(Stream connection)
    {
        // fd 0 itself: Console.OpenStandardInput on a terminal reads through .NET's line editor,
        // which echoes and sets the terminal up for its own use.
        using var stdin = new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(0, ownsHandle: false), FileAccess.Read, 1);
        var buffer = new byte[4096];
        try
        {
            int n;
            while ((n = stdin.Read(buffer)) > 0)
            {
                connection.Write(buffer, 0, n);
                connection.Flush();
            }
            // Our input has ended: the daemon closes the container's stdin (docker run -i) or ends the session.
            if (connection is System.Net.Sockets.NetworkStream network)
            {
                network.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or System.Net.Sockets.SocketException)
        {
            // The session ended first.
        }
    }
}
