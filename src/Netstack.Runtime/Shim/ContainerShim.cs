using System.Diagnostics;
using System.Globalization;
using System.IO.Pipes;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Netstack.Linux;

namespace Netstack.Runtime.Shim;

/// <summary>
/// The per-container holder of an interactive container's stdin: <c>netstackd --container-shim</c>,
/// started by the container's shell shim (so, like it, in a session of its own, not the daemon's
/// child, its stdout the container's log). It outlives the daemon, so the pseudo-terminal master
/// (<c>-t</c>) or the write end of the stdin pipe (<c>-i</c>) survives a daemon restart, and a new
/// daemon takes it again from the shim's control socket.
/// <list type="bullet">
/// <item><c>console</c>: becomes the child subreaper, listens on the console socket, runs
/// <c>runc run -d --console-socket</c> (or <c>runc exec -d -t --console-socket</c>), receives the
/// master over SCM_RIGHTS, copies everything the terminal prints to its stdout, reaps the process
/// (reparented to the shim when runc exits) and exits with its status.</item>
/// <item><c>exec</c>: as <c>console</c> for <c>runc exec -d -t</c>, as the daemon's child: when the
/// daemon is gone it hangs the terminal up (the exec's session gets SIGHUP, then SIGKILL) and
/// removes its files, so a daemon crash leaves no exec process or terminal behind.</item>
/// <item><c>stdin</c>: runs <c>runc run</c> in the foreground with its stdin a pipe and its stdout
/// and stderr the shim's (runc relays them), and exits with runc's status (the container's).</item>
/// </list>
/// The control socket answers one byte per connection: <c>F</c> gets the descriptor (<c>y</c> with
/// it, <c>n</c> when stdin has been closed), <c>C</c> closes the shim's copy of stdin (the EOF of
/// <c>-i</c> once the daemon's copy is closed too). The socket sits in a directory only root may
/// enter (mode 0700).
/// </summary>
public static class ContainerShim
{
    /// <summary>The flag that turns netstackd into a shim.</summary>
    public const string Flag = "--container-shim";

    /// <summary>How long a request for the descriptor waits for runc to hand the terminal over.</summary>
    private static readonly TimeSpan HandoverWait = TimeSpan.FromSeconds(30);

    /// <summary>How long output still in the terminal is copied after the process has ended.</summary>
    private static readonly TimeSpan DrainWait = TimeSpan.FromSeconds(2);

    /// <summary>How often an exec's shim looks whether the daemon, its parent, is still there.</summary>
    private static readonly TimeSpan ParentPoll = TimeSpan.FromMilliseconds(200);

    /// <summary>How long a hung-up exec's processes have to end on SIGHUP before SIGKILL.</summary>
    private static readonly TimeSpan HangUpGrace = TimeSpan.FromSeconds(2);

    // Signal numbers (asm-generic/signal.h): SIGHUP, SIGKILL, SIGCONT.
    private const int Hangup = 1;
    private const int KillSignal = 9;
    private const int Continue = 18;

    /// <summary>
    /// <c>--container-shim console|exec RUNC CONTROL CONSOLE PIDFILE -- RUNC-ARGS...</c> or
    /// <c>--container-shim stdin RUNC CONTROL -- RUNC-ARGS...</c>; returns the exit status.
    /// </summary>
    public static int Run(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var separator = args.ToList().IndexOf("--");
        if (args.Count < 3 || separator < 0)
        {
            Console.Error.WriteLine("netstack shim: usage: --container-shim console|stdin RUNC CONTROL [CONSOLE PIDFILE] -- RUNC-ARGS");
            return 125;
        }
        var runcArgs = args.Skip(separator + 1).ToArray();
        try
        {
            return args[0] switch
            {
                "console" when separator == 5 => RunConsole(args[1], args[2], args[3], args[4], runcArgs, exec: false),
                "exec" when separator == 5 => RunConsole(args[1], args[2], args[3], args[4], runcArgs, exec: true),
                "stdin" when separator == 3 => RunStdin(args[1], args[2], runcArgs),
                _ => Usage(args[0]),
            };
        }
#pragma warning disable CA1031 // The shim's last word goes to the log; its status tells the runtime the run failed.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Console.Error.WriteLine("netstack shim: " + e.Message);
            return 125;
        }
    }

    private static int Usage(string mode)
    {
        Console.Error.WriteLine($"netstack shim: unknown mode or arguments \"{mode}\"");
        return 125;
    }

    private static int RunConsole(string runc, string control, string consoleSocket, string pidFile, string[] runcArgs, bool exec)
    {
        ChildReaper.BecomeSubreaper();
        var parent = ChildReaper.ParentPid;
        // An exec's holder says who it is before it makes any other file, so a daemon start can tell
        // its files from those of a holder killed with the last daemon (pid plus start time).
        var record = Path.ChangeExtension(control, Containers.ContainerRuntime.HolderRecordExtension);
        if (exec)
        {
            var self = Environment.ProcessId;
            File.WriteAllText(record, FormattableString.Invariant($"{self} {Containers.InitProcess.ReadStartTime(self) ?? 0}\n"));
        }
        var master = new TaskCompletionSource<SafeFileHandle>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var console = Listen(consoleSocket);
        var receive = Task.Run(() =>
        {
            using var runcConnection = console.Accept();
            // runc sends the terminal's name as the data and the master as SCM_RIGHTS.
            var (_, fd) = DescriptorPassing.Receive(runcConnection, new byte[4096]);
            if (fd is null)
            {
                master.TrySetException(new IOException("runc sent no terminal on the console socket"));
            }
            else
            {
                master.TrySetResult(fd);
            }
        });
        using var serve = Listen(control);
        var holder = new DescriptorHolder(master.Task);
        new Thread(() => Serve(serve, holder)) { IsBackground = true, Name = "shim control" }.Start();

        using (var process = Process.Start(Start(runc, runcArgs, redirectStdin: false)) ?? throw new IOException("cannot start runc"))
        {
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                // runc said why on stderr (and in its log); nothing was started.
                return 125;
            }
        }
        TryDelete(consoleSocket);
        if (!receive.Wait(HandoverWait) || !master.Task.IsCompletedSuccessfully)
        {
            Console.Error.WriteLine("netstack shim: runc started the process but handed over no terminal");
            return 125;
        }
        var pid = int.Parse(File.ReadAllText(pidFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture);

        // The terminal's output to our stdout (the log, or the daemon's pipe for an exec).
        var terminal = new FileStream(master.Task.Result, FileAccess.Read, 1, isAsync: false);
        var copy = new Thread(() => Copy(terminal, Console.OpenStandardOutput())) { IsBackground = true, Name = "terminal output" };
        copy.Start();
        if (exec)
        {
            new Thread(() => HangUpWhenOrphaned(parent, pid)) { IsBackground = true, Name = "daemon watch" }.Start();
        }

        var status = 125;
        while (ChildReaper.WaitAny() is { } ended)
        {
            if (ended.Pid == pid)
            {
                status = ended.Status;
                break;
            }
        }
        // The slave side closes with the last process that had it (the pid namespace's end for a
        // container): the read then fails with EIO and the copy ends.
        copy.Join(DrainWait);
        TryDelete(control);
        if (exec)
        {
            // An exec's files are its shim's alone (a container's pid file is the runtime's); the record last.
            TryDelete(pidFile);
            TryDelete(record);
        }
        return status;
    }

    /// <summary>
    /// An exec's shim is the daemon's child and its output goes to the daemon alone: once the daemon
    /// is gone (we were reparented) nobody can reach the terminal again, so it is hung up as a
    /// closed terminal is: SIGHUP and SIGCONT to every process of the exec's session, then SIGKILL
    /// to those still there after <see cref="HangUpGrace"/>. The main loop reaps them and the shim
    /// ends, leaving neither a process nor a terminal behind.
    /// </summary>
    private static void HangUpWhenOrphaned(int parent, int session)
    {
        while (ChildReaper.ParentPid == parent)
        {
            Thread.Sleep(ParentPoll);
        }
        Console.Error.WriteLine($"netstack shim: the daemon (pid {parent}) is gone: hanging up the exec's terminal (session {session})");
        // The exec leads a session of its own (runc calls setsid(2) for it): its pid is the session id.
        foreach (var pid in SessionMembers(session))
        {
            ChildReaper.Signal(pid, Hangup);
            ChildReaper.Signal(pid, Continue);
        }
        var deadline = DateTime.UtcNow + HangUpGrace;
        while (DateTime.UtcNow < deadline && SessionMembers(session).Count > 0)
        {
            Thread.Sleep(ParentPoll);
        }
        foreach (var pid in SessionMembers(session))
        {
            ChildReaper.Signal(pid, KillSignal);
        }
    }

    /// <summary>The processes whose session id (field 6 of /proc/PID/stat) is <paramref name="session"/>: the exec and everything it started.</summary>
    private static List<int> SessionMembers(int session)
    {
        var members = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                // "PID (COMM) STATE PPID PGRP SESSION ...": COMM may hold spaces and parentheses.
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (fields.Length > 3 && fields[0] != "Z" && fields[3] == session.ToString(CultureInfo.InvariantCulture))
                {
                    members.Add(pid);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Ended meanwhile.
            }
        }
        return members;
    }

    private static int RunStdin(string runc, string control, string[] runcArgs)
    {
        using var process = Process.Start(Start(runc, runcArgs, redirectStdin: true)) ?? throw new IOException("cannot start runc");
        var pipe = ((PipeStream)process.StandardInput.BaseStream).SafePipeHandle;
        var holder = new DescriptorHolder(Task.FromResult<SafeHandle>(pipe), () => process.StandardInput.Dispose());
        using var serve = Listen(control);
        new Thread(() => Serve(serve, holder)) { IsBackground = true, Name = "shim control" }.Start();
        process.WaitForExit();
        TryDelete(control);
        return process.ExitCode;
    }

    private static ProcessStartInfo Start(string runc, string[] args, bool redirectStdin)
    {
        // stdout and stderr are inherited: the container's log.
        var start = new ProcessStartInfo(runc) { UseShellExecute = false, RedirectStandardInput = redirectStdin };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        return start;
    }

    private static Socket Listen(string path)
    {
        TryDelete(path);
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        socket.Listen(16);
        return socket;
    }

    /// <summary>Answers the control socket, one request per connection, with blocking calls (recvmsg and sendmsg go around .NET's socket layer).</summary>
    private static void Serve(Socket listener, DescriptorHolder holder)
    {
        while (true)
        {
            Socket client;
            try
            {
                client = listener.Accept();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }
            using (client)
            {
                try
                {
                    var command = new byte[1];
                    if (client.Receive(command) != 1)
                    {
                        continue;
                    }
                    if (command[0] == (byte)'C')
                    {
                        holder.Close();
                        DescriptorPassing.Send(client, "y"u8, null);
                        continue;
                    }
                    var fd = holder.Get();
                    DescriptorPassing.Send(client, fd is null ? "n"u8 : "y"u8, fd);
                }
#pragma warning disable CA1031 // One client's failure must not end the shim's service.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    Console.Error.WriteLine("netstack shim: control request failed: " + e.Message);
                }
            }
        }
    }

    private static void Copy(Stream from, Stream to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int n;
            while ((n = from.Read(buffer)) > 0)
            {
                to.Write(buffer, 0, n);
                to.Flush();
            }
        }
        catch (IOException)
        {
            // EIO: no process has the terminal's slave side open any more.
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left for the runtime's cleanup of the shim directory.
        }
    }

    /// <summary>The descriptor handed out, until stdin is closed.</summary>
    private sealed class DescriptorHolder(Task<SafeHandle> descriptor, Action? close = null)
    {
        private volatile bool _closed;

        public DescriptorHolder(Task<SafeFileHandle> terminal)
            : this(terminal.ContinueWith(static t => (SafeHandle)t.Result, TaskScheduler.Default))
        {
        }

        public SafeHandle? Get()
        {
            if (_closed)
            {
                return null;
            }
            return descriptor.Wait(HandoverWait) ? descriptor.Result : throw new TimeoutException("runc has handed over no terminal yet");
        }

        public void Close()
        {
            if (close is null)
            {
                return; // a terminal has no end of input of its own
            }
            _closed = true;
            close();
        }
    }
}
