using Netstack.Runtime;
using Netstack.Runtime.Containers;
using Netstack.TestKit;
using Xunit;

namespace Netstack.Privileged.Tests.Runtime;

public sealed class ContainerLifecycleTests
{
    private const string Hosts = "127.0.0.1\tlocalhost\n10.20.0.5\tweb1\n10.20.0.6\tdb\n";
    private const string ResolvConf = "nameserver 127.0.0.11\noptions ndots:0\n";

    [PrivilegedFact]
    public async Task Start_InSandbox_RunsWithOwnNamespacesAndTheSandboxNetns()
    {
        await using var fx = new RuntimeFixture();
        using var netns = new TestNetns();
        await fx.ImportBusyboxAsync();

        var created = await fx.Runtime.CreateAsync(new ContainerSpec
        {
            Image = "busybox",
            Name = "web1",
            Hostname = "web1",
            Cmd = ["sh", "-c", "echo hi; echo oops >&2; sleep 1000"],
            Env = ["GREETING=hello"],
        });
        Assert.Equal(ContainerState.Created, created.State);
        Assert.Matches("^[0-9a-f]{64}$", created.Id);

        var running = await fx.Runtime.StartAsync("web1", new ContainerSandbox(netns.Path, Hosts, ResolvConf));
        Assert.Equal(ContainerState.Running, running.State);
        Assert.True(running.Pid > 0);

        // Own pid, mount, uts and ipc namespaces; the sandbox's network namespace.
        foreach (var ns in new[] { "pid", "mnt", "uts", "ipc" })
        {
            Assert.NotEqual(NsLink("self", ns), NsLink(running.Pid.ToString(), ns));
        }
        var netnsInode = Sh.Run("stat", "-L", "-c", "%i", netns.Path).Trim();
        Assert.Equal($"net:[{netnsInode}]", NsLink(running.Pid.ToString(), "net"));

        var hostname = await fx.Runtime.ExecAsync("web1", ["hostname"]);
        Assert.Equal(0, hostname.ExitCode);
        Assert.Equal("web1", hostname.Stdout.Trim());
        Assert.Equal(Hosts, (await fx.Runtime.ExecAsync("web1", ["cat", "/etc/hosts"])).Stdout);
        Assert.Equal(ResolvConf, (await fx.Runtime.ExecAsync("web1", ["cat", "/etc/resolv.conf"])).Stdout);
        var env = await fx.Runtime.ExecAsync("web1", ["sh", "-c", "echo $GREETING $HOSTNAME; echo to-stderr >&2; exit 7"]);
        Assert.Equal(7, env.ExitCode);
        Assert.Equal("hello web1", env.Stdout.Trim());
        Assert.Equal("to-stderr", env.Stderr.Trim());
        // The container's pid 1 is its command.
        Assert.Equal("1", (await fx.Runtime.ExecAsync("web1", ["sh", "-c", "pidof sleep"])).Stdout.Trim());

        // A network connect rewrites /etc/hosts while the container runs; the bind mount follows.
        const string NewHosts = Hosts + "10.30.0.7\tcache\n";
        await fx.Runtime.UpdateNetworkFilesAsync("web1", NewHosts, null);
        Assert.Equal(NewHosts, (await fx.Runtime.ExecAsync("web1", ["cat", "/etc/hosts"])).Stdout);
        Assert.Equal(ResolvConf, (await fx.Runtime.ExecAsync("web1", ["cat", "/etc/resolv.conf"])).Stdout);

        var log = await WaitForLogAsync(fx, "web1", "oops");
        Assert.Contains("hi\n", log, StringComparison.Ordinal);

        var bundle = Path.Combine(fx.Options.ExecRoot, "containers", created.Id);
        var shimPid = File.ReadAllText(Path.Combine(bundle, "shim.pid")).Trim();
        Assert.Contains("shim.sh", File.ReadAllText($"/proc/{shimPid}/cmdline"), StringComparison.Ordinal);

        // sleep as pid 1 of its namespace ignores SIGTERM, so stop ends with SIGKILL: 128 + 9.
        var stopped = await fx.Runtime.StopAsync("web1", TimeSpan.FromMilliseconds(300));
        Assert.Equal(ContainerState.Exited, stopped.State);
        Assert.Equal(137, stopped.ExitCode);
        Assert.False(Directory.Exists(Path.Combine(fx.Options.ExecRoot, "containers", created.Id)));
        Assert.Equal("", fx.RuncList());
        Assert.Empty(fx.LeftoverMounts());
        Assert.Empty(fx.LeftoverCgroups(created.Id));
        Assert.False(File.Exists($"/proc/{shimPid}/cmdline") && File.ReadAllText($"/proc/{shimPid}/cmdline").Contains("shim.sh", StringComparison.Ordinal));
        Assert.False(Directory.Exists($"/proc/{running.Pid}"));
        Assert.Equal(ContainerState.Exited, fx.Runtime.Inspect(created.Id[..12]).State);

        await fx.Runtime.DeleteAsync("web1");
        Assert.False(Directory.Exists(Path.Combine(fx.Options.DataRoot, "containers", created.Id)));
        var missing = Assert.Throws<RuntimeException>(() => fx.Runtime.Inspect("web1"));
        Assert.Equal(RuntimeErrorKind.NotFound, missing.Kind);
    }

    [PrivilegedFact]
    public async Task ContainerExitsByItself_RaisesEventWithExitCodeAndCleansUp()
    {
        await using var fx = new RuntimeFixture();
        using var netns = new TestNetns();
        await fx.ImportBusyboxAsync();
        var events = new List<ContainerInfo>();
        fx.Runtime.ContainerExited += (_, e) =>
        {
            lock (events)
            {
                events.Add(e.Container);
            }
        };

        var created = await fx.Runtime.CreateAsync(new ContainerSpec { Image = "busybox", Cmd = ["sh", "-c", "echo bye; exit 3"] });
        await fx.Runtime.StartAsync(created.Id, new ContainerSandbox(netns.Path));
        var exited = await fx.Runtime.WaitAsync(created.Id).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(3, exited.ExitCode);
        Assert.Equal(ContainerState.Exited, exited.State);
        lock (events)
        {
            var single = Assert.Single(events);
            Assert.Equal(created.Id, single.Id);
            Assert.Equal(3, single.ExitCode);
        }
        Assert.Contains("bye", await fx.Runtime.ReadLogAsync(created.Id), StringComparison.Ordinal);
        Assert.Equal("", fx.RuncList());
        Assert.Empty(fx.LeftoverMounts());

        // An exited container starts again, in the same writable layer.
        await fx.Runtime.StartAsync(created.Id, new ContainerSandbox(netns.Path));
        var again = await fx.Runtime.WaitAsync(created.Id).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(3, again.ExitCode);
    }

    [PrivilegedFact]
    public async Task Kill_WithSignal_EndsContainerWith128PlusSignal()
    {
        await using var fx = new RuntimeFixture();
        using var netns = new TestNetns();
        await fx.ImportBusyboxAsync();
        // A shell that traps TERM as pid 1 exits 143 on it (128 + 15).
        var created = await fx.Runtime.CreateAsync(new ContainerSpec
        {
            Image = "busybox",
            Cmd = ["sh", "-c", "trap 'exit 143' TERM; while true; do sleep 0.1; done"],
        });
        await fx.Runtime.StartAsync(created.Id, new ContainerSandbox(netns.Path));
        await WaitForAsync(async () => (await fx.Runtime.ExecAsync(created.Id, ["pidof", "sleep"])).ExitCode == 0);

        await fx.Runtime.KillAsync(created.Id, "SIGTERM");
        var exited = await fx.Runtime.WaitAsync(created.Id).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(143, exited.ExitCode);

        var notRunning = await Assert.ThrowsAsync<RuntimeException>(() => fx.Runtime.KillAsync(created.Id));
        Assert.Equal(RuntimeErrorKind.Conflict, notRunning.Kind);
        var badSignal = await Assert.ThrowsAsync<RuntimeException>(() => fx.Runtime.KillAsync(created.Id, "SIGNOPE"));
        Assert.Equal(RuntimeErrorKind.InvalidArgument, badSignal.Kind);
        Assert.Contains("SIGNOPE", badSignal.Message, StringComparison.Ordinal);
    }

    [PrivilegedFact]
    public async Task Delete_RunningWithoutForce_ConflictsAndWithForce_RemovesEverything()
    {
        await using var fx = new RuntimeFixture();
        using var netns = new TestNetns();
        await fx.ImportBusyboxAsync();
        var created = await fx.Runtime.CreateAsync(new ContainerSpec { Image = "busybox", Name = "doomed", Cmd = ["sleep", "1000"] });
        await fx.Runtime.StartAsync("doomed", new ContainerSandbox(netns.Path));

        var conflict = await Assert.ThrowsAsync<RuntimeException>(() => fx.Runtime.DeleteAsync("doomed"));
        Assert.Equal(RuntimeErrorKind.Conflict, conflict.Kind);
        Assert.Equal(ContainerState.Running, fx.Runtime.Inspect("doomed").State);

        await fx.Runtime.DeleteAsync("doomed", force: true);
        Assert.Empty(fx.Runtime.List(all: true));
        Assert.Equal("", fx.RuncList());
        Assert.Empty(fx.LeftoverMounts());
        Assert.False(Directory.Exists(Path.Combine(fx.Options.DataRoot, "containers", created.Id)));
        Assert.False(Directory.Exists(Path.Combine(fx.Options.ExecRoot, "containers", created.Id)));
    }

    [PrivilegedFact]
    public async Task ManyContainers_StartedAndRemovedConcurrently_AllRunThenAllGone()
    {
        await using var fx = new RuntimeFixture();
        using var netns = new TestNetns();
        await fx.ImportBusyboxAsync();
        var started = await Task.WhenAll(Enumerable.Range(0, 6).Select(async i =>
        {
            var created = await fx.Runtime.CreateAsync(new ContainerSpec { Image = "busybox", Name = $"par{i}", Cmd = ["sleep", "1000"] });
            return await fx.Runtime.StartAsync(created.Id, new ContainerSandbox(netns.Path));
        }));

        Assert.Equal(6, started.Select(c => c.Pid).Distinct().Count());
        Assert.Equal(6, fx.Runtime.List().Count);
        Assert.Equal(6, fx.RuncList().Split('\n').Length);

        await Task.WhenAll(started.Select(c => fx.Runtime.DeleteAsync(c.Name, force: true)));
        Assert.Empty(fx.Runtime.List(all: true));
        Assert.Equal("", fx.RuncList());
        Assert.Empty(fx.LeftoverMounts());
        Assert.All(started, c => Assert.Empty(fx.LeftoverCgroups(c.Id)));
    }

    [PrivilegedFact]
    public async Task BusyboxHttpd_AsInTheDemo_ServesTheImagesPageOnPort80()
    {
        await using var fx = new RuntimeFixture();
        using var netns = new TestNetns();
        Sh.Run("ip", "-n", netns.Name, "link", "set", "lo", "up");
        await fx.ImportBusyboxAsync();
        // Port 80 needs CAP_NET_BIND_SERVICE, which the default set grants.
        var created = await fx.Runtime.CreateAsync(new ContainerSpec { Image = "busybox", Name = "www", Cmd = ["httpd", "-f", "-p", "80"] });
        await fx.Runtime.StartAsync("www", new ContainerSandbox(netns.Path));

        var page = "";
        await WaitForAsync(async () =>
        {
            var fetch = await fx.Runtime.ExecAsync("www", ["wget", "-q", "-O", "-", "http://127.0.0.1:80/"]);
            page = fetch.Stdout;
            return fetch.ExitCode == 0;
        });
        Assert.Contains("hello from a netstack busybox container", page, StringComparison.Ordinal);
        // The server listens in the sandbox's namespace, seen from outside the container too.
        Assert.Contains(":80 ", Sh.Run("ip", "netns", "exec", netns.Name, "ss", "-Hltn"), StringComparison.Ordinal);
        await fx.Runtime.DeleteAsync(created.Id, force: true);
    }

    [PrivilegedFact]
    public async Task Container_IsNotTiedToTheRuntimeProcess()
    {
        await using var fx = new RuntimeFixture();
        using var netns = new TestNetns();
        await fx.ImportBusyboxAsync();
        var created = await fx.Runtime.CreateAsync(new ContainerSpec { Image = "busybox", Cmd = ["sleep", "1000"] });
        var running = await fx.Runtime.StartAsync(created.Id, new ContainerSandbox(netns.Path));

        // Walk up from the container's init: runc (which pipes the container's output into its own
        // stdio), then the shim. None of them is our child or in our session, and none holds a file
        // we hold (our pipes): their stdio is the log file, /dev/null or runc's own pipes.
        var self = Environment.ProcessId;
        var selfSession = Stat(self)[3];
        var ours = Directory.GetFiles($"/proc/{self}/fd")
            .Select(fd => Sh.TryRun("readlink", fd).Stdout.Trim())
            .Where(t => t.StartsWith("pipe:", StringComparison.Ordinal) || t.StartsWith("socket:", StringComparison.Ordinal))
            .ToHashSet();
        var pid = running.Pid;
        for (var level = 0; level < 3; level++)
        {
            var stat = Stat(pid);
            var parent = int.Parse(stat[1]);
            Assert.NotEqual(self, parent);
            Assert.NotEqual(selfSession, stat[3]);
            foreach (var fd in new[] { 0, 1, 2 })
            {
                var target = Sh.Run("readlink", $"/proc/{pid}/fd/{fd}").Trim();
                Assert.DoesNotContain(target, ours);
                if (level > 0)
                {
                    // stdout to the log, stderr to the stderr log next to it.
                    var stderrLog = Path.Combine(Path.GetDirectoryName(running.LogPath)!, "container-stderr.log");
                    Assert.True(target == "/dev/null" || target == running.LogPath || target == stderrLog, $"pid {pid} fd {fd} -> {target}");
                }
            }
            pid = parent;
        }
        Assert.Equal(1, pid);
    }

    [PrivilegedFact]
    public async Task Start_CommandNotInImage_FailsClearlyAndLeavesNothing()
    {
        await using var fx = new RuntimeFixture();
        using var netns = new TestNetns();
        await fx.ImportBusyboxAsync();
        var created = await fx.Runtime.CreateAsync(new ContainerSpec { Image = "busybox", Cmd = ["/no/such/program"] });

        var error = await Assert.ThrowsAsync<RuntimeException>(() => fx.Runtime.StartAsync(created.Id, new ContainerSandbox(netns.Path)));
        Assert.Equal(RuntimeErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("/no/such/program", error.Message, StringComparison.Ordinal);
        Assert.Equal(ContainerState.Created, fx.Runtime.Inspect(created.Id).State);
        Assert.Equal("", fx.RuncList());
        Assert.Empty(fx.LeftoverMounts());
        Assert.False(Directory.Exists(Path.Combine(fx.Options.ExecRoot, "containers", created.Id)));
    }

    [PrivilegedFact]
    public async Task Start_MissingNetns_FailsNamingItAndLeavesNothing()
    {
        await using var fx = new RuntimeFixture();
        await fx.ImportBusyboxAsync();
        var created = await fx.Runtime.CreateAsync(new ContainerSpec { Image = "busybox", Cmd = ["true"] });
        var error = await Assert.ThrowsAsync<RuntimeException>(
            () => fx.Runtime.StartAsync(created.Id, new ContainerSandbox("/run/netns/nst-rt-does-not-exist")));
        Assert.Equal(RuntimeErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("/run/netns/nst-rt-does-not-exist", error.Message, StringComparison.Ordinal);
        Assert.Empty(fx.LeftoverMounts());
    }

    [PrivilegedFact]
    public async Task Create_UnknownImage_NamesItAndLeavesNothing()
    {
        await using var fx = new RuntimeFixture();
        await fx.ImportBusyboxAsync();
        var error = await Assert.ThrowsAsync<RuntimeException>(
            () => fx.Runtime.CreateAsync(new ContainerSpec { Image = "nosuchimage:1.0", Name = "x1", Cmd = ["true"] }));
        Assert.Equal(RuntimeErrorKind.NotFound, error.Kind);
        Assert.Contains("nosuchimage:1.0", error.Message, StringComparison.Ordinal);
        Assert.Empty(fx.Runtime.List(all: true));
        var containersDir = Path.Combine(fx.Options.DataRoot, "containers");
        Assert.True(!Directory.Exists(containersDir) || Directory.GetFileSystemEntries(containersDir).Length == 0);
        // The name was not taken by the failed create.
        await fx.Runtime.CreateAsync(new ContainerSpec { Image = "busybox", Name = "x1", Cmd = ["true"] });
    }

    [PrivilegedFact]
    public async Task Create_DuplicateName_Conflicts()
    {
        await using var fx = new RuntimeFixture();
        await fx.ImportBusyboxAsync();
        var first = await fx.Runtime.CreateAsync(new ContainerSpec { Image = "busybox", Name = "same", Cmd = ["true"] });
        var error = await Assert.ThrowsAsync<RuntimeException>(
            () => fx.Runtime.CreateAsync(new ContainerSpec { Image = "busybox", Name = "same", Cmd = ["true"] }));
        Assert.Equal(RuntimeErrorKind.Conflict, error.Kind);
        Assert.Contains(first.Id[..12], error.Message, StringComparison.Ordinal);
        Assert.Single(fx.Runtime.List(all: true));
    }

    [PrivilegedFact]
    public async Task Recover_AfterRuntimeRestart_FindsRunningContainerAndStopsIt()
    {
        await using var fx = new RuntimeFixture();
        using var netns = new TestNetns();
        await fx.ImportBusyboxAsync();
        var created = await fx.Runtime.CreateAsync(new ContainerSpec { Image = "busybox", Name = "survivor", Cmd = ["sleep", "1000"] });
        var running = await fx.Runtime.StartAsync("survivor", new ContainerSandbox(netns.Path));
        var exitedBefore = await fx.Runtime.CreateAsync(new ContainerSpec { Image = "busybox", Name = "gone", Cmd = ["sh", "-c", "exit 5"] });
        await fx.Runtime.StartAsync("gone", new ContainerSandbox(netns.Path));
        await fx.Runtime.WaitAsync("gone").WaitAsync(TimeSpan.FromSeconds(30));

        var restarted = await fx.RestartAsync();
        var exits = new List<string>();
        restarted.ContainerExited += (_, e) =>
        {
            lock (exits)
            {
                exits.Add(e.Container.Name);
            }
        };
        var recovered = await restarted.RecoverAsync();

        Assert.Equal(2, recovered.Count);
        var survivor = restarted.Inspect("survivor");
        Assert.Equal(ContainerState.Running, survivor.State);
        Assert.Equal(running.Pid, survivor.Pid);
        Assert.Equal(5, restarted.Inspect("gone").ExitCode);
        Assert.Equal(created.Hostname, (await restarted.ExecAsync("survivor", ["hostname"])).Stdout.Trim());

        var stopped = await restarted.StopAsync("survivor", TimeSpan.FromMilliseconds(300));
        Assert.Equal(137, stopped.ExitCode);
        lock (exits)
        {
            Assert.Equal(["survivor"], exits);
        }
        Assert.Equal("", fx.RuncList());
        Assert.Empty(fx.LeftoverMounts());
    }

    [PrivilegedFact]
    public async Task Recover_ContainerThatExitedWhileDaemonWasDown_ReportsExit()
    {
        await using var fx = new RuntimeFixture();
        using var netns = new TestNetns();
        await fx.ImportBusyboxAsync();
        await fx.Runtime.CreateAsync(new ContainerSpec { Image = "busybox", Name = "brief", Cmd = ["sh", "-c", "sleep 0.5; exit 4"] });
        var running = await fx.Runtime.StartAsync("brief", new ContainerSandbox(netns.Path));

        // The daemon goes away while the container runs; the container ends on its own meanwhile.
        await fx.Runtime.DisposeAsync();
        await WaitForAsync(() => Task.FromResult(!Directory.Exists($"/proc/{running.Pid}")));

        var restarted = await fx.RestartAsync();
        var exits = new List<ContainerInfo>();
        restarted.ContainerExited += (_, e) => exits.Add(e.Container);
        await restarted.RecoverAsync();

        var exit = Assert.Single(exits);
        Assert.Equal("brief", exit.Name);
        Assert.Equal(4, exit.ExitCode);
        Assert.Equal(ContainerState.Exited, restarted.Inspect("brief").State);
        Assert.Equal("", fx.RuncList());
        Assert.Empty(fx.LeftoverMounts());
    }

    [PrivilegedFact]
    public async Task Recover_CrashBetweenRuncStartAndRecordUpdate_AdoptsTheRunningContainer()
    {
        await using var fx = new RuntimeFixture();
        using var netns = new TestNetns();
        await fx.ImportBusyboxAsync();
        var created = await fx.Runtime.CreateAsync(new ContainerSpec { Image = "busybox", Name = "adopted", Cmd = ["sleep", "1000"] });
        var recordFile = Path.Combine(fx.Options.DataRoot, "containers", created.Id, "container.json");
        var createdRecord = await File.ReadAllTextAsync(recordFile);
        var running = await fx.Runtime.StartAsync("adopted", new ContainerSandbox(netns.Path));

        // kill -9 after runc started the container but before the record said "running".
        await fx.Runtime.DisposeAsync();
        await File.WriteAllTextAsync(recordFile, createdRecord);

        var restarted = await fx.RestartAsync();
        await restarted.RecoverAsync();
        var adopted = restarted.Inspect("adopted");
        Assert.Equal(ContainerState.Running, adopted.State);
        Assert.Equal(running.Pid, adopted.Pid);
        Assert.Contains("\"running\"", await File.ReadAllTextAsync(recordFile), StringComparison.Ordinal);

        await restarted.DeleteAsync("adopted", force: true);
        Assert.Equal("", fx.RuncList());
        Assert.Empty(fx.LeftoverMounts());
    }

    [PrivilegedFact]
    public async Task Recover_CrashAfterMountBeforeRunc_RemovesTheHalfMadeBundle()
    {
        await using var fx = new RuntimeFixture();
        var image = await fx.ImportBusyboxAsync();
        var created = await fx.Runtime.CreateAsync(new ContainerSpec { Image = "busybox", Name = "half", Cmd = ["true"] });
        // What a start leaves when the daemon dies right after mounting the root file system.
        var data = Path.Combine(fx.Options.DataRoot, "containers", created.Id);
        var rootfs = Path.Combine(fx.Options.ExecRoot, "containers", created.Id, "rootfs");
        Directory.CreateDirectory(rootfs);
        Sh.Run("mount", "-t", "overlay", "overlay", "-o",
            $"lowerdir={fx.Images.RootfsPath(image.Id)},upperdir={data}/upper,workdir={data}/work", rootfs);
        // And a bundle that belongs to no container at all.
        var stray = Path.Combine(fx.Options.ExecRoot, "containers", new string('c', 64));
        Directory.CreateDirectory(stray);
        Assert.NotEmpty(fx.LeftoverMounts());

        var restarted = await fx.RestartAsync();
        await restarted.RecoverAsync();

        Assert.Empty(fx.LeftoverMounts());
        Assert.False(Directory.Exists(Path.GetDirectoryName(rootfs)));
        Assert.False(Directory.Exists(stray));
        Assert.Equal(ContainerState.Created, restarted.Inspect("half").State);
        Assert.True(File.Exists(Path.Combine(fx.Images.RootfsPath(image.Id), "bin", "busybox")));
    }

    private static string NsLink(string pid, string ns) => Sh.Run("readlink", $"/proc/{pid}/ns/{ns}").Trim();

    /// <summary>/proc/PID/stat fields after the command name: [0] state, [1] ppid, [2] pgrp, [3] session.</summary>
    private static string[] Stat(int pid)
    {
        var text = File.ReadAllText($"/proc/{pid}/stat");
        return text[(text.LastIndexOf(')') + 2)..].Split(' ');
    }

    private static async Task<string> WaitForLogAsync(RuntimeFixture fx, string container, string text)
    {
        var log = "";
        await WaitForAsync(async () => (log = await fx.Runtime.ReadLogAsync(container)).Contains(text, StringComparison.Ordinal));
        return log;
    }

    /// <summary>Polls a condition that the system reaches on its own; fails after 30 s (a bound, not a timing assertion).</summary>
    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached within 30 s");
            await Task.Delay(20);
        }
    }
}
