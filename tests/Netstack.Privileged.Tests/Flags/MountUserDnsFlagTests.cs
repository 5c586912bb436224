using Netstack.Privileged.Tests.Api;
using Netstack.TestKit;
using Xunit;

namespace Netstack.Privileged.Tests.Flags;

/// <summary>
/// -v, --mount, --tmpfs, --read-only, -u, --dns-search, --dns-option, --env-file and stop signals,
/// each seen inside a real runc container, through our CLI and the stock docker CLI; bad values
/// refused naming the flag or field and the value, with nothing left.
/// </summary>
public sealed class MountUserDnsFlagTests
{
    private static void Ok((int Exit, string Out, string Err) result, NetstackdProcess daemon, string what) =>
        Assert.True(result.Exit == 0, $"{what}: exit {result.Exit} out \"{result.Out}\" err \"{result.Err}\"\n{daemon.Log}");

    [PrivilegedFact]
    public async Task BindsTmpfsReadOnlyRootAndUser_ReachTheContainer_ThroughOurCliAndTheDockerCli()
    {
        await using var daemon = await NetstackdProcess.StartAsync();
        await daemon.ImportBusyboxAsync();
        var shared = Path.Combine(daemon.Directory, "shared");
        var writable = Path.Combine(daemon.Directory, "writable");
        Directory.CreateDirectory(shared);
        Directory.CreateDirectory(writable);
        File.WriteAllText(Path.Combine(shared, "hello"), "from-host\n");
        // www-data (uid 33 in the image) writes here.
        TestNamespace.Run("chmod", "777", writable);

        Ok(await daemon.NetstackAsync("run", "-d", "--name", "mnt", "--network", "none",
            "-v", shared + ":/data:ro", "--mount", $"type=bind,source={writable},target=/out",
            "--tmpfs", "/scratch:size=1m,mode=0777", "--read-only", "-u", "www-data",
            "busybox", "sleep", "600"), daemon, "run");
        async Task<(int Exit, string Out, string Err)> Exec(string script) => await daemon.NetstackAsync("exec", "mnt", "sh", "-c", script);

        Assert.Equal("33 33", (await Exec("echo $(id -u) $(id -g)")).Out.Trim());
        Assert.Equal("from-host", (await Exec("cat /data/hello")).Out.Trim());
        var roBind = await Exec("echo x > /data/new");
        Assert.True(roBind.Exit != 0 && roBind.Err.Contains("Read-only file system", StringComparison.Ordinal), roBind.Err);
        Ok(await Exec("echo written > /out/f"), daemon, "write to the rw bind");
        Assert.Equal("written\n", File.ReadAllText(Path.Combine(writable, "f")));
        Assert.Equal(33, OwnerUid(Path.Combine(writable, "f")));

        // The root is read-only (EROFS), the generated files and the tmpfs are not.
        var roRoot = await Exec("touch /etc/new-file");
        Assert.True(roRoot.Exit != 0 && roRoot.Err.Contains("Read-only file system", StringComparison.Ordinal), roRoot.Err);
        Assert.Contains("localhost", (await Exec("cat /etc/hosts")).Out, StringComparison.Ordinal);
        Ok(await Exec("cat /etc/resolv.conf"), daemon, "resolv.conf readable");
        var mounts = (await Exec("grep ' /scratch ' /proc/mounts")).Out;
        Assert.True(mounts.Contains("tmpfs", StringComparison.Ordinal) && mounts.Contains("size=1024k", StringComparison.Ordinal) && mounts.Contains("mode=777", StringComparison.Ordinal), mounts);
        Assert.Contains("noexec", mounts, StringComparison.Ordinal);
        Ok(await Exec("echo t > /scratch/t && cat /scratch/t"), daemon, "write to the tmpfs");
        Assert.Contains(" / overlay ro,", (await Exec("cat /proc/mounts")).Out, StringComparison.Ordinal);

        var inspect = daemon.Docker("inspect", "--format", "{{.HostConfig.ReadonlyRootfs}} {{.Config.User}} {{.HostConfig.Binds}} {{range .Mounts}}{{.Destination}}:{{.RW}} {{end}}", "mnt");
        Assert.Equal($"true www-data [{shared}:/data:ro {writable}:/out] /data:false /out:true /scratch:true", inspect.Out.Trim());

        // The stock docker CLI: -v, --read-only and -u name:group on an attached run.
        var docker = daemon.Docker("run", "--rm", "--network", "none", "-v", shared + ":/data", "--read-only", "-u", "nobody:daemon",
            "busybox", "sh", "-c", "id -u; id -g; cat /data/hello; touch /x 2>/dev/null || echo erofs");
        Assert.True(docker.Exit == 0 && docker.Out == "65534\n1\nfrom-host\nerofs\n", $"exit {docker.Exit} out \"{docker.Out}\" err \"{docker.Err}\"\n{daemon.Log}");
        var numeric = daemon.Docker("run", "--rm", "--network", "none", "-u", "4321:4321", "busybox", "sh", "-c", "echo $(id -u) $(id -g) $HOME");
        Assert.True(numeric.Exit == 0 && numeric.Out == "4321 4321 /\n", $"exit {numeric.Exit} out \"{numeric.Out}\" err \"{numeric.Err}\"");
    }

    private static int OwnerUid(string path) =>
        int.Parse(TestNamespace.Run("stat", "-c", "%u", path).Trim(), System.Globalization.CultureInfo.InvariantCulture);

    [PrivilegedFact]
    public async Task DnsSearchOptionsAndEnvFile_AreInTheContainer_AsDockerWritesThem()
    {
        await using var daemon = await NetstackdProcess.StartAsync();
        await daemon.ImportBusyboxAsync();
        Ok(await daemon.NetstackAsync("network", "create", "--subnet", "10.98.0.0/24", "dnsnet"), daemon, "network create");

        // With the embedded resolver: 127.0.0.11 alone, the search domains, the options (a user's ndots replaces ndots:0).
        var embedded = daemon.Docker("run", "--rm", "--network", "dnsnet", "--dns-search", "corp.example", "--dns-search", "lab.example",
            "--dns-option", "timeout:3", "busybox", "cat", "/etc/resolv.conf");
        Assert.True(embedded.Exit == 0, embedded.Err + daemon.Log);
        Assert.Equal("nameserver 127.0.0.11\nsearch corp.example lab.example\noptions timeout:3 ndots:0\n", embedded.Out);
        var ndots = daemon.Docker("run", "--rm", "--network", "dnsnet", "--dns-option", "ndots:2", "busybox", "cat", "/etc/resolv.conf");
        Assert.Equal("nameserver 127.0.0.11\noptions ndots:2\n", ndots.Out);
        // Without a resolver (network none): the servers and search domains directly.
        Ok(await daemon.NetstackAsync("run", "-d", "--name", "plain", "--network", "none", "--dns", "10.0.0.53", "--dns-search", "corp.example",
            "--dns-option", "attempts:2", "busybox", "sleep", "600"), daemon, "run");
        Assert.Equal("nameserver 10.0.0.53\nsearch corp.example\noptions attempts:2\n", (await daemon.NetstackAsync("exec", "plain", "cat", "/etc/resolv.conf")).Out);
        Assert.Equal("[corp.example] [attempts:2]", daemon.Docker("inspect", "--format", "{{.HostConfig.DnsSearch}} {{.HostConfig.DnsOptions}}", "plain").Out.Trim());

        // --env-file in Docker's format; -e wins over the file; a bare name comes from the client's environment.
        var envFile = Path.Combine(daemon.Directory, "app.env");
        File.WriteAllText(envFile, "\uFEFF# settings\nGREETING=hello world\n  INDENTED=yes\n\nQUOTED=\"kept\"\nFROM_SHELL\nUNSET_IN_SHELL\nOVERRIDDEN=file\n");
        Environment.SetEnvironmentVariable("FROM_SHELL", "shell-value");
        Ok(await daemon.NetstackAsync("run", "-d", "--name", "envs", "--network", "none", "--env-file", envFile, "-e", "OVERRIDDEN=flag",
            "busybox", "sleep", "600"), daemon, "run --env-file");
        var env = (await daemon.NetstackAsync("exec", "envs", "env")).Out.Split('\n');
        Assert.Contains("GREETING=hello world", env);
        Assert.Contains("INDENTED=yes", env);
        Assert.Contains("QUOTED=\"kept\"", env);
        Assert.Contains("FROM_SHELL=shell-value", env);
        Assert.Contains("OVERRIDDEN=flag", env);
        Assert.DoesNotContain(env, e => e.StartsWith("UNSET_IN_SHELL", StringComparison.Ordinal) || e.StartsWith('#'));
    }

    [PrivilegedFact]
    public async Task Stderr_IsStreamTwo_InDockerRunAndLogs_AndOurLogs()
    {
        await using var daemon = await NetstackdProcess.StartAsync();
        await daemon.ImportBusyboxAsync();
        var run = daemon.Docker("run", "--name", "split", "--network", "none", "busybox", "sh", "-c", "echo out; echo err >&2");
        Assert.True(run.Exit == 0 && run.Out == "out\n" && run.Err == "err\n", $"exit {run.Exit} out \"{run.Out}\" err \"{run.Err}\"\n{daemon.Log}");
        var logs = daemon.Docker("logs", "split");
        Assert.True(logs.Out == "out\n" && logs.Err == "err\n", $"out \"{logs.Out}\" err \"{logs.Err}\"");
        var ours = await daemon.NetstackAsync("logs", "split");
        Assert.True(ours.Out == "out\n" && ours.Err == "err\n", $"out \"{ours.Out}\" err \"{ours.Err}\"");
        // Only the stream asked for, framed as stream 2 (header: 2, three zero bytes, length 4).
        var onlyErr = TestNamespace.Run("curl", "-s", "--unix-socket", daemon.SocketPath, "http://d/v1.41/containers/split/logs?stderr=1");
        Assert.Equal("\u0002\0\0\0\0\0\0\u0004err\n", onlyErr);
    }

    [PrivilegedFact]
    public async Task Stop_SendsTheStopSignalThenSigkill_AsDockerWithoutInit()
    {
        await using var daemon = await NetstackdProcess.StartAsync();
        await daemon.ImportBusyboxAsync();
        const string trapping = "trap 'echo got-term; exit 3' TERM; trap 'echo got-usr1; exit 4' USR1; while true; do sleep 0.1; done";
        Ok(daemon.Docker("run", "-d", "--name", "term", "--network", "none", "busybox", "sh", "-c", trapping), daemon, "run term");
        Ok(daemon.Docker("stop", "term"), daemon, "stop term");
        Assert.Equal("exited 3", daemon.Docker("inspect", "--format", "{{.State.Status}} {{.State.ExitCode}}", "term").Out.Trim());

        // --stop-signal: stop sends USR1, which the script handles.
        Ok(daemon.Docker("run", "-d", "--name", "usr1", "--network", "none", "--stop-signal", "SIGUSR1", "busybox", "sh", "-c", trapping), daemon, "run usr1");
        Ok(daemon.Docker("stop", "usr1"), daemon, "stop usr1");
        Assert.Equal("4 got-usr1", (daemon.Docker("inspect", "--format", "{{.State.ExitCode}}", "usr1").Out.Trim() + " " + daemon.Docker("logs", "usr1").Out.Trim()));
        Assert.Equal("SIGUSR1", daemon.Docker("inspect", "--format", "{{.Config.StopSignal}}", "usr1").Out.Trim());

        // pid 1 without a handler never sees SIGTERM (the kernel drops it): SIGKILL after --stop-timeout, 137.
        Ok(await daemon.NetstackAsync("run", "-d", "--name", "deaf", "--network", "none", "--stop-timeout", "1", "busybox", "sleep", "600"), daemon, "run deaf");
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Ok(await daemon.NetstackAsync("stop", "deaf"), daemon, "stop deaf");
        watch.Stop();
        Assert.Equal("exited 137 1", daemon.Docker("inspect", "--format", "{{.State.Status}} {{.State.ExitCode}} {{.Config.StopTimeout}}", "deaf").Out.Trim());
        // Its own 1 s, not the default 10 s (a generous bound for a loaded machine).
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(8), $"stop took {watch.Elapsed}");
    }

    [PrivilegedFact]
    public async Task BadRunFlags_NameTheFlagOrFieldAndValue_LeaveNoContainerSandboxOrCgroup()
    {
        await using var daemon = await NetstackdProcess.StartAsync();
        await daemon.ImportBusyboxAsync();
        var missing = Path.Combine(daemon.Directory, "no-such-dir");
        (string[] Args, string[] Expected)[] ours =
        [
            (["-v", missing + ":/data"], [missing, "does not exist"]),
            (["-v", "/tmp:data"], ["--volume", "/tmp:data", "not absolute"]),
            (["-v", "/tmp:/data:bogus"], ["--volume", "bogus", "unknown mount option"]),
            (["--mount", "type=bind,source=/tmp,target=/x,colour=red"], ["--mount", "colour"]),
            (["-u", "nosuchuser"], ["nosuchuser", "passwd"]),
            (["-u", "www-data:nosuchgroup"], ["nosuchgroup", "group"]),
            (["--env-file", missing + ".env"], ["--env-file", missing + ".env"]),
            (["--tmpfs", "/x:size=lots"], ["--tmpfs", "size=lots"]),
            (["--tmpfs", "/x:bogus"], ["--tmpfs", "bogus"]),
            (["--tmpfs", "relative"], ["--tmpfs", "relative", "not absolute"]),
            (["--stop-signal", "SIGNOPE"], ["--stop-signal", "SIGNOPE"]),
        ];
        foreach (var (args, expected) in ours)
        {
            var result = await daemon.NetstackAsync(["run", "-d", "--network", "none", .. args, "busybox", "sleep", "600"]);
            Assert.True(result.Exit != 0, $"{string.Join(' ', args)} was accepted");
            foreach (var text in expected)
            {
                Assert.True(result.Err.Contains(text, StringComparison.Ordinal), $"{string.Join(' ', args)}: \"{result.Err}\" lacks \"{text}\"");
            }
        }
        // The daemon's own checks, through the stock docker CLI, which sends them as given.
        (string[] Args, string[] Expected)[] docker =
        [
            (["-v", missing + ":/data"], ["HostConfig.Binds", missing, "does not exist"]),
            (["-v", "/tmp:/data:bogus"], ["bogus"]),
            (["-u", "nosuchuser"], ["User", "nosuchuser"]),
            (["--tmpfs", "/x:bogus"], ["bogus"]),
            (["--mount", $"type=bind,source={missing},target=/x"], ["HostConfig.Mounts", missing]),
        ];
        foreach (var (args, expected) in docker)
        {
            var result = daemon.Docker(["run", "-d", "--network", "none", .. args, "busybox", "sleep", "600"]);
            Assert.True(result.Exit != 0, $"docker {string.Join(' ', args)} was accepted");
            foreach (var text in expected)
            {
                Assert.True(result.Err.Contains(text, StringComparison.Ordinal), $"docker {string.Join(' ', args)}: \"{result.Err}\" lacks \"{text}\"");
            }
        }
        Assert.Equal("", daemon.Docker("ps", "-aq").Out.Trim());
        using var client = daemon.Client();
        Assert.Empty(await client.ListSandboxesAsync());

        // A bind source removed after the create: the start is refused naming it, and leaves no
        // sandbox, no cgroup and no running container behind.
        var gone = Path.Combine(daemon.Directory, "gone");
        Directory.CreateDirectory(gone);
        Ok(daemon.Docker("create", "--name", "late", "--network", "none", "-v", gone + ":/data", "busybox", "sleep", "600"), daemon, "create");
        Directory.Delete(gone);
        var start = daemon.Docker("start", "late");
        Assert.True(start.Exit != 0 && start.Err.Contains(gone, StringComparison.Ordinal), start.Err);
        var id = daemon.Docker("inspect", "--format", "{{.Id}}", "late").Out.Trim();
        Assert.Equal("created", daemon.Docker("inspect", "--format", "{{.State.Status}}", "late").Out.Trim());
        Assert.Empty(await client.ListSandboxesAsync());
        // runc's cgroup of the container: v2 one directory, v1 one per controller.
        string[] cgroups = ["/sys/fs/cgroup/netstack/" + id, "/sys/fs/cgroup/pids/netstack/" + id, "/sys/fs/cgroup/memory/netstack/" + id, "/sys/fs/cgroup/cpu/netstack/" + id];
        Assert.DoesNotContain(cgroups, Directory.Exists);
    }
}
