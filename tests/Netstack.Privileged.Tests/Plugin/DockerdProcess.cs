using System.Diagnostics;
using System.Globalization;
using System.Text;
using Netstack.TestKit;

namespace Netstack.Privileged.Tests.Plugin;

/// <summary>
/// A stock dockerd (Debian's docker.io) in a test's namespace host, with everything of its own in
/// one directory: data-root, exec-root (its managed containerd, sandbox namespaces), pidfile and
/// API socket. dockerd finds plugins only in the fixed <c>/run/docker/plugins</c>, so it runs in a
/// private mount namespace with a tmpfs over <c>/run</c> and the test's plugin directory bound at
/// <c>/run/docker/plugins</c>: the machine's <c>/run</c> is neither read nor changed, and two tests
/// never see each other's plugins. <c>--bridge=none --iptables=false</c>: dockerd makes no network
/// and no rule of its own, so every link and rule in the namespace is netstack's. Stopped by its pid.
/// </summary>
internal sealed class DockerdProcess : IDisposable
{
    // How long dockerd (and its containerd) may take to serve on a loaded machine: a readiness wait, not a measurement.
    private static readonly TimeSpan StartWait = TimeSpan.FromSeconds(120);

    private readonly StringBuilder _log = new();
    private Process? _process;

    public DockerdProcess(string namespacePath, string directory, string pluginDirectory)
    {
        NamespacePath = namespacePath;
        Directory = directory;
        PluginDirectory = pluginDirectory;
    }

    public const string DockerdPath = "/usr/sbin/dockerd";

    public string NamespacePath { get; }

    public string Directory { get; }

    public string PluginDirectory { get; }

    public string SocketPath => Path.Combine(Directory, "docker.sock");

    public int Pid => _process?.Id ?? 0;

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

    /// <summary>Starts dockerd and waits until its API answers.</summary>
    public async Task StartAsync()
    {
        if (!File.Exists(DockerdPath))
        {
            throw new InvalidOperationException($"{DockerdPath} is missing: install Debian's docker.io (NETSTACK_WITH_DOCKER=1 scenarios/install-deps.sh)");
        }
        System.IO.Directory.CreateDirectory(Path.Combine(Directory, "data"));
        System.IO.Directory.CreateDirectory(Path.Combine(Directory, "exec"));
        var script = string.Join(" && ",
            "mount -t tmpfs -o mode=0755 tmpfs /run",
            "mkdir -p /run/docker/plugins",
            $"mount --bind {PluginDirectory} /run/docker/plugins",
            $"exec {DockerdPath} --data-root {Directory}/data --exec-root {Directory}/exec --pidfile {Directory}/docker.pid -H unix://{SocketPath}"
            + " --bridge=none --iptables=false --ip-forward=false --ip-masq=false --userland-proxy=false --storage-driver=vfs --log-level=debug"
            // Containers (sleep as pid 1 ignores SIGTERM) are killed 2 s into a shutdown, not 15.
            + " --shutdown-timeout=2");
        // nsenter and unshare exec what follows, and sh execs dockerd: the pid started is dockerd's.
        var start = new ProcessStartInfo("nsenter") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "--net=" + NamespacePath, "unshare", "--mount", "--propagation", "private", "sh", "-c", script })
        {
            start.ArgumentList.Add(arg);
        }
        Append("---- start");
        _process?.Dispose();
        _process = Process.Start(start) ?? throw new InvalidOperationException("cannot start dockerd");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow + StartWait;
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"dockerd exited with {_process.ExitCode} before serving:\n{Log}");
            }
            if (Docker("version", "--format", "{{.Server.Version}}").Exit == 0)
            {
                return;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"dockerd did not answer within {StartWait}:\n{Log}");
            }
            await Task.Delay(200);
        }
    }

    /// <summary>The stock docker CLI against this dockerd, with a private config directory.</summary>
    public (int Exit, string Out, string Err) Docker(params string[] args)
    {
        var config = Path.Combine(Directory, "docker-config");
        System.IO.Directory.CreateDirectory(config);
        var (exit, output, error) = TestNamespace.TryRun("env", ["-u", "DOCKER_HOST", "-u", "DOCKER_CONTEXT", "DOCKER_CONFIG=" + config, Api.NetstackdProcess.DockerPath, "-H", "unix://" + SocketPath, .. args]);
        return (exit, output.Trim(), error.Trim());
    }

    /// <summary>Like <see cref="Docker"/>, and a failure throws with dockerd's answer.</summary>
    public string DockerOk(params string[] args)
    {
        var (exit, output, error) = Docker(args);
        return exit == 0 ? output : throw new InvalidOperationException($"docker {string.Join(' ', args)} exited {exit}: {error}");
    }

    /// <summary>
    /// Removes every container (unless <paramref name="keepContainers"/>: a restart, where dockerd
    /// stops them itself), then SIGTERM and wait (SIGKILL after a minute).
    /// </summary>
    public async Task StopAsync(bool keepContainers = false)
    {
        if (_process is not { HasExited: false } process)
        {
            return;
        }
        var containers = keepContainers ? [] : Docker("ps", "-aq").Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (containers.Length > 0)
        {
            Docker(["rm", "-f", .. containers]);
        }
        TestNamespace.TryRun("kill", "-TERM", process.Id.ToString(CultureInfo.InvariantCulture));
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            TestNamespace.TryRun("kill", "-9", process.Id.ToString(CultureInfo.InvariantCulture));
            await process.WaitForExitAsync();
        }
    }

    public void Dispose() => _process?.Dispose();

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }
}
