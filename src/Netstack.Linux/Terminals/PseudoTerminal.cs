using System.Runtime.InteropServices;

namespace Netstack.Linux;

/// <summary>
/// A pseudo-terminal's window size (ioctl(2) TIOCSWINSZ / TIOCGWINSZ on its master or slave). The
/// kernel sends SIGWINCH to the terminal's foreground process group when the size changes.
/// </summary>
public static class PseudoTerminal
{
    /// <summary>Sets the window size. Equivalent to: <c>stty rows R cols C</c> on the terminal.</summary>
    public static void Resize(SafeHandle terminal, ushort rows, ushort columns)
    {
        ArgumentNullException.ThrowIfNull(terminal);
        var size = new Interop.WinSize { Rows = rows, Columns = columns };
        var added = false;
        try
        {
            terminal.DangerousAddRef(ref added);
            unsafe
            {
                if (Interop.IoctlWinSize((int)terminal.DangerousGetHandle(), Interop.TIOCSWINSZ, &size) != 0)
                {
                    throw NetlinkException.Create($"set the window size to {rows}x{columns}", ErrnoText.Last());
                }
            }
        }
        finally
        {
            if (added)
            {
                terminal.DangerousRelease();
            }
        }
    }

    /// <summary>The window size of a terminal file descriptor, or null when it is not a terminal. Equivalent to: <c>stty size</c>.</summary>
    public static (ushort Rows, ushort Columns)? Size(int fd)
    {
        var size = default(Interop.WinSize);
        unsafe
        {
            return Interop.IoctlWinSize(fd, Interop.TIOCGWINSZ, &size) == 0 ? (size.Rows, size.Columns) : null;
        }
    }
}
