using System.Diagnostics;
using System.Globalization;
using System.Text;
using Netstack.Api.Client;
using Netstack.TestKit;

namespace Netstack.Privileged.Tests.Api;

/// <summary>
/// One netstackd process at a time inside a network namespace, started with <c>nsenter --net</c>
/// (not <c>ip netns exec</c>, which would give it a private mount namespace; nsenter execs netstackd,
/// so the pid we start is the daemon's) with its root, exec-root and socket in one directory. It
/// can be killed and launched again on the same state; its output is kept across launches.
/// </summary>
internal sealed class NetstackdInstance : IDisposable
{
    // How long a start may take on a loaded machine: a readiness wait, not a measurement.
    private static readonly TimeSpan StartWait = TimeSpan.FromSeconds(90);

    private readonly StringBuilder _log = new();
    private readonly string[] _flags;
    private Process? _process;

    /// <param name="namespacePath">The namespace file the daemon runs in (its "host").</param>
    /// <param name="directory">Holds root/, exec/ and the socket; short, as a unix socket path must fit sockaddr_un's 108 bytes.</param>
    /// <param name="flags">Flags beyond --root, --exec-root, -H and --log-level.</param>
    public NetstackdInstance(string namespacePath, string directory, params string[] flags)
    {
        NamespacePath = namespacePath;
        Directory = directory;
        _flags = flags;
    }

    public string NamespacePath { get; }

    public string Directory { get; }

    public string SocketPath => Path.Combine(Directory, "netstack.sock");

    public string HostUri => "unix://" + SocketPath;

    public string Root => Path.Combine(Directory, "root");

    public string ExecRoot => Path.Combine(Directory, "exec");

    public int Pid => _process?.Id ?? 0;

    /// <summary>Environment variables of the next launches (a fail point, say); the test's own NETSTACK_FAILPOINT is never passed on.</summary>
    public Dictionary<string, string> Environment { get; } = new(StringComparer.Ordinal);

    public bool Running => _process is { HasExited: false };

    /// <summary>Everything the daemon printed, each launch after a <c>---- launch</c> line.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>
    /// The netstackd these tests run: the build output beside them, or the binary that
    /// NETSTACK_TEST_NETSTACKD names (test.sh points it at the Native AOT netstackd, the one that ships).
    /// </summary>
    public static string Executable { get; } =
        System.Environment.GetEnvironmentVariable("NETSTACK_TEST_NETSTACKD") is { Length: > 0 } published
            ? published
            : Path.Combine(AppContext.BaseDirectory, "netstackd");

    /// <summary>Starts netstackd (again) on the same directory and flags and waits until its socket answers.</summary>
    public async Task LaunchAsync()
    {
        var start = new ProcessStartInfo("nsenter")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] args =
        [
            "--net=" + NamespacePath, Executable,
            "--root", Root, "--exec-root", ExecRoot, "-H", HostUri, "--log-level", "debug", .. Firewall.TestFirewall.DaemonFlags, .. _flags,
        ];
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment.Remove(Core.FailPoints.FailPoint.EnvironmentVariable);
        foreach (var (name, value) in Environment)
        {
            start.Environment[name] = value;
        }
        Append("---- launch");
        _process?.Dispose();
        _process = Process.Start(start) ?? throw new InvalidOperationException("cannot start netstackd");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var client = new ApiClient(DaemonAddress.Parse(HostUri));
        var deadline = DateTime.UtcNow + StartWait;
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"netstackd in {NamespacePath} exited with {_process.ExitCode} before serving:\n{Log}");
            }
            try
            {
                if (await client.PingAsync() == "OK")
                {
                    return;
                }
            }
            catch (ApiException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary><c>kill -9 PID</c>: a crash; the daemon gets no chance to clean up or leave its cluster.</summary>
    public async Task KillHardAsync()
    {
        if (_process is { HasExited: false } process)
        {
            TestNamespace.TryRun("kill", "-9", process.Id.ToString(CultureInfo.InvariantCulture));
            await process.WaitForExitAsync();
        }
    }

    /// <summary>Waits at most <paramref name="timeout"/> for the process to end by itself (a fail point's kill -9); true when it did.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        if (_process is not { } process)
        {
            return true;
        }
        using var wait = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(wait.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>SIGTERM and wait (at most <paramref name="timeout"/>, then SIGKILL): a clean stop.</summary>
    public async Task StopAsync(TimeSpan? timeout = null)
    {
        if (_process is { HasExited: false } process)
        {
            TestNamespace.TryRun("kill", "-TERM", process.Id.ToString(CultureInfo.InvariantCulture));
            using var wait = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
            try
            {
                await process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                await KillHardAsync();
            }
        }
    }

    /// <summary>
    /// After the daemon is gone: unmounts what is left under the directory (sandbox namespace files,
    /// container root filesystems; deepest first) and deletes the directory.
    /// </summary>
    public void RemoveState()
    {
        var mounts = File.ReadAllLines("/proc/self/mounts")
            .Select(l => l.Split(' ')[1])
            .Where(m => m.StartsWith(Directory + "/", StringComparison.Ordinal))
            .OrderByDescending(m => m.Length)
            .ToList();
        foreach (var mount in mounts)
        {
            TestNamespace.TryRun("umount", "-l", mount);
        }
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }

    public void Dispose() => _process?.Dispose();

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_log)
        {
            _log.AppendLine(line);
        }
    }
}
