using System.Text.Json;
using Netstack.Runtime.Containers;
using Netstack.Runtime.Oci;
using Xunit;

namespace Netstack.Runtime.Tests.Oci;

public sealed class OciSpecBuilderTests
{
    private static readonly ContainerInfo Container = new()
    {
        Id = new string('a', 64),
        Name = "web",
        Image = "busybox",
        ImageId = new string('b', 64),
        Hostname = "web1",
        Cmd = ["httpd", "-f", "-p", "80"],
        Env = ["A=1", "PATH=/bin", "A=2"],
        WorkingDir = "/var/www",
    };

    private static readonly OciBundleInputs Inputs = new(
        "/run/netstack/containers/x/hosts",
        "/run/netstack/containers/x/resolv.conf",
        "/run/netstack/containers/x/hostname",
        "/run/netstack/netns/abc",
        "/netstack/" + new string('a', 64));

    private static JsonElement Render(ContainerInfo container, OciBundleInputs inputs)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(OciSpecBuilder.Build(container, inputs), OciJsonContext.Default.OciSpec);
        return JsonDocument.Parse(bytes).RootElement.Clone();
    }

    [Fact]
    public void Build_Process_HasArgsCwdNoTerminalAndEnvWithDefaults()
    {
        var json = Render(Container, Inputs);
        Assert.StartsWith("1.0", json.GetProperty("ociVersion").GetString(), StringComparison.Ordinal);
        var process = json.GetProperty("process");
        Assert.False(process.GetProperty("terminal").GetBoolean());
        Assert.Equal(["httpd", "-f", "-p", "80"], process.GetProperty("args").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("/var/www", process.GetProperty("cwd").GetString());
        Assert.Equal(0, process.GetProperty("user").GetProperty("uid").GetInt32());
        // The user's PATH replaces the default in place; a repeated key keeps its last value.
        // HOME comes last, from the user's passwd entry (root's here), as Docker sets it.
        Assert.Equal(["PATH=/bin", "HOSTNAME=web1", "A=2", "HOME=/root"], process.GetProperty("env").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public void Build_User_IdsGroupsAndHomeOfTheResolvedUser_AGivenHomeWins()
    {
        var user = new ContainerUser(1000, 100, [10, 20], "/home/app");
        var process = Render(Container, Inputs with { User = user }).GetProperty("process");
        Assert.Equal(1000u, process.GetProperty("user").GetProperty("uid").GetUInt32());
        Assert.Equal(100u, process.GetProperty("user").GetProperty("gid").GetUInt32());
        Assert.Equal([10u, 20u], process.GetProperty("user").GetProperty("additionalGids").EnumerateArray().Select(e => e.GetUInt32()));
        Assert.Contains("HOME=/home/app", process.GetProperty("env").EnumerateArray().Select(e => e.GetString()));
        var given = Render(Container with { Env = ["HOME=/data"] }, Inputs with { User = user }).GetProperty("process").GetProperty("env");
        Assert.Equal(["HOME=/data"], given.EnumerateArray().Select(e => e.GetString()).Where(e => e!.StartsWith("HOME=", StringComparison.Ordinal)));
    }

    [Fact]
    public void Build_ReadonlyRootfsBindsAndTmpfs_ComeAfterTheStandardMounts_WithDockersDefaults()
    {
        var container = Container with
        {
            ReadonlyRootfs = true,
            Mounts =
            [
                new ContainerMount(ContainerMount.Bind, "/srv/data", "/data", ReadOnly: true, []),
                new ContainerMount(ContainerMount.Bind, "/srv/logs", "/logs", ReadOnly: false, ["rshared"]),
                new ContainerMount(ContainerMount.Tmpfs, null, "/scratch", ReadOnly: false, ["size=64m", "exec"]),
            ],
        };
        var json = Render(container, Inputs);
        Assert.True(json.GetProperty("root").GetProperty("readonly").GetBoolean());
        var mounts = json.GetProperty("mounts").EnumerateArray().ToList();
        Assert.Equal(["/data", "/logs", "/scratch"], mounts.TakeLast(3).Select(m => m.GetProperty("destination").GetString()));
        string[] Options(int i) => [.. mounts[^(3 - i)].GetProperty("options").EnumerateArray().Select(e => e.GetString()!)];
        Assert.Equal("/srv/data", mounts[^3].GetProperty("source").GetString());
        Assert.Equal(["rbind", "ro", "rprivate"], Options(0));
        Assert.Equal(["rbind", "rw", "rshared"], Options(1));
        Assert.Equal("tmpfs", mounts[^1].GetProperty("type").GetString());
        // Docker's tmpfs defaults first; the user's "exec" after them undoes noexec (runc applies them in order).
        Assert.Equal(["noexec", "nosuid", "nodev", "size=64m", "exec"], Options(2));
    }

    [Fact]
    public void Build_Tty_TerminalWithItsSizeAndTerm()
    {
        var process = Render(Container with { Tty = true, ConsoleSize = [33, 111] }, Inputs).GetProperty("process");
        Assert.True(process.GetProperty("terminal").GetBoolean());
        Assert.Equal(33, process.GetProperty("consoleSize").GetProperty("height").GetInt32());
        Assert.Equal(111, process.GetProperty("consoleSize").GetProperty("width").GetInt32());
        Assert.Contains("TERM=xterm", process.GetProperty("env").EnumerateArray().Select(e => e.GetString()));
        // Without a size runc leaves the kernel's 0x0 until the first resize; without -t no size at all.
        Assert.False(Render(Container with { Tty = true }, Inputs).GetProperty("process").TryGetProperty("consoleSize", out _));
        Assert.False(Render(Container with { ConsoleSize = [33, 111] }, Inputs).GetProperty("process").TryGetProperty("consoleSize", out _));
    }

    [Fact]
    public void Build_Capabilities_AreDockersDefaultSetInEveryVector()
    {
        var caps = Render(Container, Inputs).GetProperty("process").GetProperty("capabilities");
        foreach (var set in new[] { "bounding", "effective", "permitted", "inheritable" })
        {
            var values = caps.GetProperty(set).EnumerateArray().Select(e => e.GetString()).ToList();
            Assert.Contains("CAP_NET_BIND_SERVICE", values);
            Assert.Contains("CAP_NET_RAW", values);
            Assert.Contains("CAP_KILL", values);
            Assert.DoesNotContain("CAP_SYS_ADMIN", values);
            Assert.DoesNotContain("CAP_NET_ADMIN", values);
            Assert.Equal(14, values.Count);
        }
    }

    [Fact]
    public void Build_Namespaces_OwnPidMountUtsIpc_AndJoinsTheSandboxNetwork()
    {
        var namespaces = Render(Container, Inputs).GetProperty("linux").GetProperty("namespaces").EnumerateArray().ToList();
        Assert.Equal(["pid", "mount", "uts", "ipc", "network"], namespaces.Select(n => n.GetProperty("type").GetString()));
        Assert.All(namespaces.Take(4), n => Assert.False(n.TryGetProperty("path", out _)));
        Assert.Equal("/run/netstack/netns/abc", namespaces[4].GetProperty("path").GetString());
    }

    [Fact]
    public void Build_WithoutSandbox_NetworkNamespaceIsNewAndEmpty()
    {
        var namespaces = Render(Container, Inputs with { NetworkNamespace = null }).GetProperty("linux").GetProperty("namespaces");
        var network = namespaces.EnumerateArray().Single(n => n.GetProperty("type").GetString() == "network");
        Assert.False(network.TryGetProperty("path", out _));
    }

    [Fact]
    public void Build_Mounts_StandardFileSystemsAndTheGeneratedEtcFiles()
    {
        var json = Render(Container, Inputs);
        var mounts = json.GetProperty("mounts").EnumerateArray().ToDictionary(m => m.GetProperty("destination").GetString()!);
        Assert.Equal("proc", mounts["/proc"].GetProperty("type").GetString());
        Assert.Equal("tmpfs", mounts["/dev"].GetProperty("type").GetString());
        Assert.Equal("devpts", mounts["/dev/pts"].GetProperty("type").GetString());
        Assert.Equal("tmpfs", mounts["/dev/shm"].GetProperty("type").GetString());
        Assert.Equal("mqueue", mounts["/dev/mqueue"].GetProperty("type").GetString());
        Assert.Equal("sysfs", mounts["/sys"].GetProperty("type").GetString());
        Assert.Contains("ro", mounts["/sys"].GetProperty("options").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(Inputs.HostsFile, mounts["/etc/hosts"].GetProperty("source").GetString());
        Assert.Equal(Inputs.ResolvConfFile, mounts["/etc/resolv.conf"].GetProperty("source").GetString());
        Assert.Equal(Inputs.HostnameFile, mounts["/etc/hostname"].GetProperty("source").GetString());
        Assert.All(new[] { "/etc/hosts", "/etc/resolv.conf", "/etc/hostname" }, d =>
        {
            Assert.Equal("bind", mounts[d].GetProperty("type").GetString());
            Assert.Contains("rbind", mounts[d].GetProperty("options").EnumerateArray().Select(e => e.GetString()));
        });
    }

    [Fact]
    public void Build_RootHostnameCgroupAndMaskedPaths()
    {
        var json = Render(Container, Inputs);
        Assert.Equal("rootfs", json.GetProperty("root").GetProperty("path").GetString());
        Assert.False(json.GetProperty("root").GetProperty("readonly").GetBoolean());
        Assert.Equal("web1", json.GetProperty("hostname").GetString());
        var linux = json.GetProperty("linux");
        Assert.Equal(Inputs.CgroupsPath, linux.GetProperty("cgroupsPath").GetString());
        var masked = linux.GetProperty("maskedPaths").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains("/proc/kcore", masked);
        Assert.Contains("/sys/firmware", masked);
        Assert.Contains("/proc/sys", linux.GetProperty("readonlyPaths").EnumerateArray().Select(e => e.GetString()));
        var device = Assert.Single(linux.GetProperty("resources").GetProperty("devices").EnumerateArray());
        Assert.False(device.GetProperty("allow").GetBoolean());
        Assert.Equal("rwm", device.GetProperty("access").GetString());
    }
}
