using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Netstack.Api.Client;
using Netstack.TestKit;

namespace Netstack.Privileged.Tests.GossipDaemon;

/// <summary>
/// A netstackd process inside a namespace host (<c>nsenter --net</c>, not <c>ip netns exec</c>,
/// which would give it a private mount namespace), with its own root, exec-root and socket in
/// <c>/tmp/NAMESPACE</c> and the given cluster flags. Dispose stops it (by its pid) and removes the directory.
/// </summary>
internal sealed class GossipDaemonProcess : IAsyncDisposable
{
    // A readiness wait on a loaded machine, not a measurement.
    private static readonly TimeSpan StartWait = TimeSpan.FromSeconds(90);

    private readonly StringBuilder _log = new();
    private readonly string[] _flags;
    private Process? _process;

    private GossipDaemonProcess(string namespacePath, string address, string[] flags)
    {
        NamespacePath = namespacePath;
        Address = address;
        _flags = flags;
        // Short: a unix socket path must fit sockaddr_un's 108 bytes.
        Directory = Path.Combine("/tmp", Path.GetFileName(namespacePath));
    }

    public string NamespacePath { get; }

    /// <summary>The advertise address, which is also the node's name (no --node-name).</summary>
    public string Address { get; }

    public string Directory { get; }

    public string HostUri => "unix://" + Path.Combine(Directory, "netstack.sock");

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

    public static async Task<GossipDaemonProcess> StartAsync(string namespacePath, string address, string keyFile, params string[] join)
    {
        string[] flags = ["--advertise-addr", address, "--gossip-key-file", keyFile, .. join.Length > 0 ? new[] { "--join", string.Join(',', join) } : []];
        var daemon = new GossipDaemonProcess(namespacePath, address, flags);
        System.IO.Directory.CreateDirectory(daemon.Directory);
        try
        {
            await daemon.LaunchAsync();
            return daemon;
        }
        catch
        {
            await daemon.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts netstackd (again) on the same directories and flags, and waits until its socket answers.</summary>
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
            "--net=" + NamespacePath, Path.Combine(AppContext.BaseDirectory, "netstackd"),
            "--root", Path.Combine(Directory, "root"), "--exec-root", Path.Combine(Directory, "exec"), "-H", HostUri,
            "--log-level", "debug", .. _flags,
        ];
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        lock (_log)
        {
            _log.AppendLine("---- launch");
        }
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

    /// <summary><c>kill -9 PID</c>: a crash, no leave message.</summary>
    public async Task KillHardAsync()
    {
        if (_process is { HasExited: false } process)
        {
            // nsenter execs netstackd, so the pid we started is the daemon's.
            TestNamespace.Run("kill", "-9", process.Id.ToString(CultureInfo.InvariantCulture));
            await process.WaitForExitAsync();
        }
    }

    /// <summary>SIGTERM and wait: a clean stop, in which the node leaves the cluster.</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false } process)
        {
            TestNamespace.Run("kill", "-TERM", process.Id.ToString(CultureInfo.InvariantCulture));
            await process.WaitForExitAsync();
        }
    }

    /// <summary><c>netstack -H SOCK node ls --format json</c> with our built CLI, as (name, state) pairs.</summary>
    public IReadOnlyList<(string Name, string Address, string State)> NodeLs()
    {
        var (exit, output, error) = TestNamespace.TryRun(Path.Combine(AppContext.BaseDirectory, "netstack"), "node", "ls", "--format", "json", "-H", HostUri);
        if (exit != 0)
        {
            throw new InvalidOperationException($"netstack node ls on {Address} exited {exit}: {error.Trim()}");
        }
        var nodes = new List<(string, string, string)>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            nodes.Add((root.GetProperty("Name").GetString()!, root.GetProperty("Address").GetString()!, root.GetProperty("State").GetString()!));
        }
        return nodes;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false } process)
        {
            // SIGTERM first, so the node leaves the cluster as in production; then make sure.
            TestNamespace.TryRun("kill", "-TERM", process.Id.ToString(CultureInfo.InvariantCulture));
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                await KillHardAsync();
            }
        }
        _process?.Dispose();
        var mounts = File.ReadAllLines("/proc/self/mounts")
            .Select(l => l.Split(' ')[1])
            .Where(m => m.StartsWith(Directory + "/", StringComparison.Ordinal))
            .OrderByDescending(m => m.Length);
        foreach (var mount in mounts)
        {
            TestNamespace.TryRun("umount", "-l", mount);
        }
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }

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
